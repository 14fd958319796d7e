-- Per event_id: rows in steplog.events (exactly once: 1) and inserts the delivery ledger saw
-- (its view counts every inserted block, so a merge cannot hide a double insert). Ids in neither
-- are absent from the answer.
SELECT
    event_id,
    sum(rows) AS rows,
    sum(copies) AS copies
FROM
(
    SELECT toString(event_id) AS event_id, count() AS rows, toUInt64(0) AS copies
    FROM steplog.events
    WHERE toString(event_id) IN {event_ids:Array(String)}
    GROUP BY event_id
    UNION ALL
    SELECT toString(event_id) AS event_id, toUInt64(0) AS rows, sum(copies) AS copies
    FROM steplog.event_deliveries
    WHERE toString(event_id) IN {event_ids:Array(String)}
    GROUP BY event_id
)
GROUP BY event_id
