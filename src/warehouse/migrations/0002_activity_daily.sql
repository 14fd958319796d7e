-- Daily activity aggregates: one row per (day, action, guest flag) holding the -State of the
-- distinct users and of the event count. The users_activity mart merges these states over any
-- N-day window (DAU/WAU/MAU, per action, guests vs registered); events-per-day reads the counts.
--
-- Fed by a materialized view, not by a loader step: the view runs inside every insert into
-- steplog.events, so no code path can load events without updating the aggregates, and a rebuild
-- (`steplog aggregates rebuild`) reuses the view's own SELECT. A view counts every inserted block,
-- so exactness rests on the loader's promise never to insert an event row twice: a batch in doubt
-- after a crash is reconciled against steplog.events and only its missing rows are inserted (see
-- src/loader/loader.ts). uniqExact is immune to a replay anyway; count is not, hence that promise.
--
-- The key holds only what every window query splits by: a day is 6 rows, a year about 2,200.
-- Monthly partitions match steplog.events, so a rebuild replaces whole months atomically.
CREATE TABLE IF NOT EXISTS steplog.activity_daily
(
    day Date,
    action_id UInt8,
    is_guest UInt8,
    user_states AggregateFunction(uniqExact, UInt32),
    event_states AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, action_id, is_guest);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.activity_daily_mv TO steplog.activity_daily AS
SELECT
    toDate(time) AS day,
    action_id,
    is_guest,
    uniqExactState(user_id) AS user_states,
    countState() AS event_states
FROM steplog.events
GROUP BY day, action_id, is_guest;
