-- Site events and distinct visitors per day, name and obj, from site_daily's states.
SELECT
    toString(day) AS date,
    name,
    obj,
    countMerge(event_states) AS events,
    uniqExactMerge(user_states) AS users
FROM steplog.site_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
GROUP BY day, name, obj
ORDER BY day, name, obj
