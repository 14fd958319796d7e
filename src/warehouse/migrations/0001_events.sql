-- The denormalized events table: one row per accepted event, with the user's attributes as they
-- were at load time (is_guest is stored because the rule that derives it may change).
--
-- PARTITION BY month: a load of recent events touches one partition (an insert spanning several
-- partitions is not atomic), late events a few more; old months can be dropped or re-loaded whole.
-- ORDER BY day first: every activity query filters and groups by day, then by action and step.
-- event_id ends the key so that ReplacingMergeTree folds a duplicate row away at merge time — a
-- safety net only: the loader never inserts a row twice (materialized views see every insert).
-- No column codecs: ClickHouse 18.16, the server adapter's test target, predates them.
CREATE TABLE IF NOT EXISTS steplog.events
(
    event_id UUID,
    time DateTime('UTC'),
    user_id UInt32,
    join_date DateTime('UTC'),
    registration_date Nullable(DateTime('UTC')),
    name String,
    email String,
    is_guest UInt8,
    step_id UInt32,
    action_id UInt8,
    received_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(time)
ORDER BY (toDate(time), action_id, step_id, user_id, event_id);
