-- Site events (the de-demo seed's family): one row per accepted site event, as the visitor's
-- browser reported it. Visitors are anonymous ids, not rows of the users table, so there is
-- nothing to join at load time: the row is the event itself plus received_at and time_ms.
--
-- Types, within what ClickHouse 18.16 (the server adapter's test target) and chDB both run:
-- - name, obj: String. LowCardinality would suit them (a handful of values) but 18.16 lacks it;
--   a dictionary-encoded copy can come behind a capability. They lead the key, so they compress
--   well as they are (long runs of one value per day).
-- - user_id, product_id: UInt64 as the seed has them; the API bounds them to 2^53 - 1, the
--   integers a JSON number carries exactly.
-- - amount: Float64, not the seed's Float32: the API accepts a JSON double, and Float32 would
--   change a price above 2^24 cents on the way in (the loader promises equal values).
-- - exp: the seed's Map(String, String) as parallel arrays sorted by key (18.16 has no Map);
--   `exp_values[indexOf(exp_keys, 'x')]` reads one experiment, ARRAY JOIN all of them.
-- - time: DateTime (whole seconds; 18.16 has no DateTime64) and time_ms with the milliseconds,
--   as steplog.events has since 0008: sessions are cut on time_ms.
--
-- PARTITION BY month as the seed and steplog.events: a load of recent events touches one
-- partition, old months can be dropped or re-loaded whole. ORDER BY day, name, obj first (the
-- seed's key, with the day instead of the second: every mart filters by a day range and groups
-- by name × obj), then user_id (sessions and experiments read one visitor's events together),
-- and event_id last so ReplacingMergeTree folds a duplicate row away at merge time — a safety net
-- only: the loader never inserts a row twice (the views below see every insert). No Buffer table
-- in front, unlike the seed: the durable outbox is steplog's buffer, and it loses nothing.
CREATE TABLE IF NOT EXISTS steplog.site_events
(
    event_id UUID,
    time DateTime('UTC'),
    time_ms UInt64,
    name String,
    user_id UInt64,
    url String,
    obj String,
    obj_id String,
    product_id UInt64,
    amount Float64,
    exp_keys Array(String),
    exp_values Array(String),
    received_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (toDate(time), name, obj, user_id, event_id);

-- The delivery ledger of site events, as steplog.event_deliveries is for learning events (0006):
-- sum(copies) = 1 per event_id is the exactly-once proof.
CREATE TABLE IF NOT EXISTS steplog.site_event_deliveries
(
    event_id UUID,
    copies UInt64
)
ENGINE = SummingMergeTree(copies)
ORDER BY event_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.site_event_deliveries_mv TO steplog.site_event_deliveries AS
SELECT event_id, toUInt64(1) AS copies
FROM steplog.site_events;
