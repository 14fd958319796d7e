-- Per step, from each user's first view / submit / solve of it (epoch 0 when never): the funnel
-- counts the users whose first view falls in [from, to], those of them who submitted, and those of
-- them who solved; time to solve is first solve − first view, for first solves in [from, to] that
-- follow a view (quantileExact: the upper median when the count is even).
SELECT
    step_id,
    countIf(toDate(viewed_at) BETWEEN {from:Date} AND {to:Date}) AS viewed,
    countIf(toDate(viewed_at) BETWEEN {from:Date} AND {to:Date} AND toUInt32(submitted_at) > 0) AS submitted,
    countIf(
        toDate(viewed_at) BETWEEN {from:Date} AND {to:Date} AND toUInt32(submitted_at) > 0 AND toUInt32(solved_at) > 0
    ) AS solved,
    countIf(toUInt32(viewed_at) > 0 AND solved_at >= viewed_at AND toDate(solved_at) BETWEEN {from:Date} AND {to:Date})
        AS timed_solves,
    quantileExactIf(0.5)(
        toInt64(toUInt32(solved_at)) - toInt64(toUInt32(viewed_at)),
        toUInt32(viewed_at) > 0 AND solved_at >= viewed_at AND toDate(solved_at) BETWEEN {from:Date} AND {to:Date}
    ) AS median_seconds_to_solve
FROM
(
    SELECT
        step_id,
        minIfMerge(first_view) AS viewed_at,
        minIfMerge(first_submit) AS submitted_at,
        minIfMerge(first_solve) AS solved_at
    FROM steplog.step_progress
    WHERE {step_id:UInt32} = 0 OR step_id = {step_id:UInt32}
    GROUP BY step_id, user_id
)
GROUP BY step_id
ORDER BY step_id
