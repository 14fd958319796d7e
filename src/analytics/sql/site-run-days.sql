-- A site load run's events per UTC day and event name, with distinct visitors, from the raw rows.
SELECT
    toString(toDate(time)) AS day,
    name,
    count() AS events,
    uniqExact(user_id) AS users
FROM steplog.site_events
WHERE user_id >= {user_id_from:UInt64} AND user_id <= {user_id_to:UInt64}
GROUP BY day, name
ORDER BY day, name
