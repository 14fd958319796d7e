-- A load run's events per UTC day and action, with unique users, from the raw events.
SELECT
    toString(toDate(time)) AS day,
    action_id,
    count() AS events,
    uniqExact(user_id) AS users
FROM steplog.events
WHERE startsWith(toString(event_id), {prefix:String})
GROUP BY day, action_id
ORDER BY day, action_id
