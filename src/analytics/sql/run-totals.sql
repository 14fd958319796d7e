-- Every insert of events whose event_id starts with a load run's prefix: copies and distinct ids.
SELECT
    sum(copies) AS copies,
    uniqExact(event_id) AS event_ids
FROM steplog.event_deliveries
WHERE startsWith(toString(event_id), {prefix:String})
