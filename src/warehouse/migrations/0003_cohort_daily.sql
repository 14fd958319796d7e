-- Daily activity by join day: the -State of the distinct users active on `day` who joined on
-- `join_day`. Kept apart from activity_daily because join day multiplies the rows (one per join day
-- among a day's active users): users_activity reads new vs returning here (joined inside the window
-- or before it), the retention mart its join-week cohorts. Fed by a materialized view on
-- steplog.events; exact because the loader never inserts an event row twice (see 0002).
CREATE TABLE IF NOT EXISTS steplog.cohort_daily
(
    day Date,
    join_day Date,
    user_states AggregateFunction(uniqExact, UInt32)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, join_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.cohort_daily_mv TO steplog.cohort_daily AS
SELECT
    toDate(time) AS day,
    toDate(join_date) AS join_day,
    uniqExactState(user_id) AS user_states
FROM steplog.events
GROUP BY day, join_day;
