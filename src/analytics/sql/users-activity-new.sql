-- New vs returning users over the N-day window ending at each day of [from, to] (fanned out as in
-- users-activity.sql): new users joined inside the window (window start ≤ join day ≤ end day),
-- returning ones before it; a user who joined after the window is neither.
SELECT
    toString(end_day) AS date,
    uniqExactMergeIf(user_states, join_day BETWEEN end_day - ({days:UInt32} - 1) AND end_day) AS new_users,
    uniqExactMergeIf(user_states, join_day < end_day - ({days:UInt32} - 1)) AS returning_users
FROM steplog.cohort_daily
ARRAY JOIN arrayMap(k -> day + k, range({days:UInt32})) AS end_day
WHERE day BETWEEN {from:Date} - ({days:UInt32} - 1) AND {to:Date}
  AND end_day BETWEEN {from:Date} AND {to:Date}
GROUP BY end_day
