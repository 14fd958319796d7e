-- Millisecond event times. steplog.events.time is a DateTime (whole seconds): ClickHouse 18.16,
-- the server adapter's test target, has no DateTime64, and changing the type of a column in the
-- sorting key is not an ALTER either engine takes. time_ms holds the same instant as epoch
-- milliseconds (UInt64, which both engines have), written by the loader next to `time`. Rows
-- loaded before this migration have no milliseconds to recover: their time_ms is time × 1000,
-- computed from the DEFAULT when read.
ALTER TABLE steplog.events ADD COLUMN time_ms UInt64 DEFAULT toUInt64(time) * 1000 AFTER time;
