-- How many times each of these event_ids was inserted (exactly once: 1 each; absent: 0).
SELECT
    toString(event_id) AS event_id,
    sum(copies) AS copies
FROM steplog.event_deliveries
WHERE toString(event_id) IN {event_ids:Array(String)}
GROUP BY event_id
