-- Events per day and action, from the daily count states.
SELECT
    day,
    countMergeIf(event_states, action_id = 0) AS view,
    countMergeIf(event_states, action_id = 1) AS submit,
    countMergeIf(event_states, action_id = 2) AS solve
FROM steplog.activity_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
GROUP BY day
ORDER BY day
