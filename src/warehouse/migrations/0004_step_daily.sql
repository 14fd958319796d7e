-- Daily per-step aggregates: distinct users and event counts per (day, step, action), merged over
-- a range by the funnel (viewed → submitted → solved) and step difficulty (submits per solve,
-- solve rate) marts. Fed by a materialized view on steplog.events; exact because the loader never
-- inserts an event row twice (see 0002). Monthly partitions, as the events.
CREATE TABLE IF NOT EXISTS steplog.step_daily
(
    day Date,
    step_id UInt32,
    action_id UInt8,
    user_states AggregateFunction(uniqExact, UInt32),
    event_states AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, step_id, action_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.step_daily_mv TO steplog.step_daily AS
SELECT
    toDate(time) AS day,
    step_id,
    action_id,
    uniqExactState(user_id) AS user_states,
    countState() AS event_states
FROM steplog.events
GROUP BY day, step_id, action_id;
