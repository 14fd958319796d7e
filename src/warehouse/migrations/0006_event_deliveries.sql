-- The delivery ledger: how many times each event_id was inserted into steplog.events. The events
-- table is a ReplacingMergeTree, so a merge folds a duplicate row away and counting its rows can
-- hide a double insert; a materialized view sees every inserted block (as the daily aggregates
-- do), and SummingMergeTree keeps the sum of copies through merges. sum(copies) = 1 per event is
-- the exactly-once proof that `steplog load` and the fault tests check.
CREATE TABLE IF NOT EXISTS steplog.event_deliveries
(
    event_id UUID,
    copies UInt64
)
ENGINE = SummingMergeTree(copies)
ORDER BY event_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.event_deliveries_mv TO steplog.event_deliveries AS
SELECT event_id, toUInt64(1) AS copies
FROM steplog.events;
