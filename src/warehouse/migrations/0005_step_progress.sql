-- Each user's progress on each step: the time of the first view, submit and solve, as minIf
-- states, so a late or out-of-order event simply lowers a minimum. The funnel (viewed → submitted
-- → solved, the same users along the way) and the median time from first view to first solve
-- are read from here. Not keyed by day (a first view may be
-- months before the solve), hence one partition that a rebuild always recomputes whole. Fed by a
-- materialized view; min is idempotent, so even a replayed row could not change it.
CREATE TABLE IF NOT EXISTS steplog.step_progress
(
    step_id UInt32,
    user_id UInt32,
    first_view AggregateFunction(minIf, DateTime('UTC'), UInt8),
    first_submit AggregateFunction(minIf, DateTime('UTC'), UInt8),
    first_solve AggregateFunction(minIf, DateTime('UTC'), UInt8)
)
ENGINE = AggregatingMergeTree()
PARTITION BY tuple()
ORDER BY (step_id, user_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.step_progress_mv TO steplog.step_progress AS
SELECT
    step_id,
    user_id,
    minIfState(time, action_id = 0) AS first_view,
    minIfState(time, action_id = 1) AS first_submit,
    minIfState(time, action_id = 2) AS first_solve
FROM steplog.events
GROUP BY step_id, user_id;
