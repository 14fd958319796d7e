-- step_progress in milliseconds: each user's first view, submit and solve of each step as epoch
-- milliseconds (from steplog.events.time_ms, migration 0008), so the time to solve is the elapsed
-- time between the events, not a count of second boundaries (a view at :00.900 and a solve at
-- :01.100 are 0.2 s apart, not 1 s). Replaces 0005's table, whose DateTime states cannot be
-- converted in place; it is a derived table, so it is recreated and refilled from the raw events
-- (what `steplog aggregates rebuild` does). Loads are not running while migrations apply. 0 in a
-- merged state means "never" (an event at exactly 1970-01-01T00:00:00.000Z counts as never).
-- Every statement can run again after a crash half-way. The refill repeats the view's SELECT:
-- POPULATE, which would reuse it, does not work with a TO table.
DROP TABLE IF EXISTS steplog.step_progress_mv;

DROP TABLE IF EXISTS steplog.step_progress;

CREATE TABLE steplog.step_progress
(
    step_id UInt32,
    user_id UInt32,
    first_view_ms AggregateFunction(minIf, UInt64, UInt8),
    first_submit_ms AggregateFunction(minIf, UInt64, UInt8),
    first_solve_ms AggregateFunction(minIf, UInt64, UInt8)
)
ENGINE = AggregatingMergeTree()
PARTITION BY tuple()
ORDER BY (step_id, user_id);

CREATE MATERIALIZED VIEW steplog.step_progress_mv TO steplog.step_progress AS
SELECT
    step_id,
    user_id,
    minIfState(time_ms, action_id = 0) AS first_view_ms,
    minIfState(time_ms, action_id = 1) AS first_submit_ms,
    minIfState(time_ms, action_id = 2) AS first_solve_ms
FROM steplog.events
GROUP BY step_id, user_id;

INSERT INTO steplog.step_progress
SELECT
    step_id,
    user_id,
    minIfState(time_ms, action_id = 0) AS first_view_ms,
    minIfState(time_ms, action_id = 1) AS first_submit_ms,
    minIfState(time_ms, action_id = 2) AS first_solve_ms
FROM steplog.events
GROUP BY step_id, user_id;
