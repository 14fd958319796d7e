-- requires: insertDeduplication
-- The site tables get the deduplication window of 0007: an in-doubt site batch is re-inserted
-- whole under its tokens and each table and view skips the blocks it already holds.
ALTER TABLE steplog.site_events MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.site_event_deliveries MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.site_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.site_page_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
ALTER TABLE steplog.site_product_daily MODIFY SETTING non_replicated_deduplication_window = 1000;
