-- requires: insertDeduplication
-- 0009 recreated steplog.step_progress: give it back the deduplication window of 0007.
ALTER TABLE steplog.step_progress MODIFY SETTING non_replicated_deduplication_window = 1000;
