-- requires: insertDeduplication
-- Exactly once into the raw table AND every materialized view after a crash: an INSERT writes
-- steplog.events and then each view's table as separate parts, so a kill -9 between them leaves
-- rows the views never saw. The loader inserts each batch with a deduplication token derived from
-- its outbox ids and re-inserts an in-doubt batch whole with the same token: each table keeps the
-- tokens of its last 1,000 blocks and skips a block it already holds, so the retry fills exactly
-- the parts that are missing. (An in-doubt batch is always retried before any newer batch is
-- inserted, so 1,000 is ample.) ClickHouse 18.16 lacks this; there the loader reconciles against
-- steplog.events instead.
ALTER TABLE steplog.events MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.activity_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.cohort_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.step_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.step_progress MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.event_deliveries MODIFY SETTING non_replicated_deduplication_window = 1000;
