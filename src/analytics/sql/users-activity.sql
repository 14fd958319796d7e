-- The users_activity mart: distinct users over the N-day window ending at each day of
-- [from, to]. Each day's -State rows are fanned out to the N windows that contain that day and
-- merged there.
SELECT
    toString(end_day) AS date,
    uniqExactMerge(user_states) AS users,
    uniqExactMergeIf(user_states, action_id = 0) AS view_users,
    uniqExactMergeIf(user_states, action_id = 1) AS submit_users,
    uniqExactMergeIf(user_states, action_id = 2) AS solve_users,
    uniqExactMergeIf(user_states, is_guest = 1) AS guests,
    uniqExactMergeIf(user_states, is_guest = 0) AS registered
FROM steplog.activity_daily
ARRAY JOIN arrayMap(k -> day + k, range({days:UInt32})) AS end_day
WHERE day BETWEEN {from:Date} - ({days:UInt32} - 1) AND {to:Date}
  AND end_day BETWEEN {from:Date} AND {to:Date}
GROUP BY end_day
ORDER BY end_day
