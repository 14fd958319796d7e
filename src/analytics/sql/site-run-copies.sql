-- Inserts the site delivery ledger saw of each event_id stored for a visitor range (its view
-- counts every inserted block, so a merge cannot hide a double insert).
SELECT
    toString(event_id) AS event_id,
    sum(copies) AS copies
FROM steplog.site_event_deliveries
WHERE event_id IN
(
    SELECT event_id
    FROM steplog.site_events
    WHERE user_id >= {user_id_from:UInt64} AND user_id <= {user_id_to:UInt64}
)
GROUP BY event_id
