-- Rows and distinct ids of the events whose event_id starts with a load run's prefix.
SELECT
    count() AS rows,
    uniqExact(event_id) AS event_ids
FROM steplog.events
WHERE startsWith(toString(event_id), {prefix:String})
