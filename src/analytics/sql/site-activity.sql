-- Site users activity: distinct visitors over the N-day window ending at each day of [from, to],
-- merged from site_daily's states (every name × obj row of a day unions into the day's visitors).
SELECT
    toString(end_day) AS date,
    uniqExactMerge(user_states) AS users
FROM steplog.site_daily
ARRAY JOIN arrayMap(k -> day + k, range({days:UInt32})) AS end_day
WHERE day BETWEEN {from:Date} - ({days:UInt32} - 1) AND {to:Date}
  AND end_day BETWEEN {from:Date} AND {to:Date}
GROUP BY end_day
ORDER BY end_day
