-- Retention by join-week cohort (weeks start on Monday): week -1 carries the cohort's size (its
-- users with any event), week k ≥ 0 the users active in days [cohort + 7k, cohort + 7k + 6].
SELECT toString(toMonday(join_day)) AS cohort_week, toInt32(-1) AS week, uniqExactMerge(user_states) AS users
FROM steplog.cohort_daily
WHERE toMonday(join_day) BETWEEN toMonday({from:Date}) AND {to:Date}
GROUP BY cohort_week
UNION ALL
SELECT
    toString(toMonday(join_day)) AS cohort_week,
    toInt32(intDiv(toUInt32(day) - toUInt32(toMonday(join_day)), 7)) AS week,
    uniqExactMerge(user_states) AS users
FROM steplog.cohort_daily
WHERE toMonday(join_day) BETWEEN toMonday({from:Date}) AND {to:Date}
  AND day >= toMonday(join_day)
  AND day < toMonday(join_day) + 7 * {weeks:UInt32}
GROUP BY cohort_week, week
