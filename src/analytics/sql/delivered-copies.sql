-- How many times each of these event_ids was inserted, for those present in the events table
-- (exactly once: 1 each; absent from the answer: not in ClickHouse).
SELECT
    toString(event_id) AS event_id,
    sum(copies) AS copies
FROM steplog.event_deliveries
WHERE toString(event_id) IN {event_ids:Array(String)}
  AND event_id IN (SELECT event_id FROM steplog.events WHERE toString(event_id) IN {event_ids:Array(String)})
GROUP BY event_id
