-- Per step, from each user's first view / submit / solve of it in epoch milliseconds (0 when never):
-- the funnel counts the users whose first view falls on a day in [from, to], those of them who
-- submitted, and those of them who solved; time to solve is first solve − first view in seconds
-- with millisecond fractions, for first solves on a day in [from, to] at or after the first view
-- (quantileExact: the upper median when the count is even).
SELECT
    step_id,
    countIf(viewed_day BETWEEN {from:Date} AND {to:Date}) AS viewed,
    countIf(viewed_day BETWEEN {from:Date} AND {to:Date} AND submitted_ms > 0) AS submitted,
    countIf(viewed_day BETWEEN {from:Date} AND {to:Date} AND submitted_ms > 0 AND solved_ms > 0) AS solved,
    countIf(timed) AS timed_solves,
    quantileExactIf(0.5)((toInt64(solved_ms) - toInt64(viewed_ms)) / 1000, timed) AS median_seconds_to_solve
FROM
(
    SELECT
        step_id,
        viewed_ms,
        submitted_ms,
        solved_ms,
        toDate(toDateTime(intDiv(viewed_ms, 1000), 'UTC')) AS viewed_day,
        viewed_ms > 0 AND solved_ms >= viewed_ms
            AND toDate(toDateTime(intDiv(solved_ms, 1000), 'UTC')) BETWEEN {from:Date} AND {to:Date} AS timed
    FROM
    (
        SELECT
            step_id,
            minIfMerge(first_view_ms) AS viewed_ms,
            minIfMerge(first_submit_ms) AS submitted_ms,
            minIfMerge(first_solve_ms) AS solved_ms
        FROM steplog.step_progress
        WHERE {step_id:UInt32} = 0 OR step_id = {step_id:UInt32}
        GROUP BY step_id, user_id
    )
)
GROUP BY step_id
ORDER BY step_id
