-- Daily site aggregates, fed by materialized views on steplog.site_events (exact because the
-- loader never inserts a site event row twice; see 0002 for why a view needs that promise).
--
-- site_daily: per (day, name, obj) the -State of the distinct visitors and of the event count.
-- Merging every row of a day gives that day's visitors (uniqExact states merge as set unions), so
-- this one table answers both the users-activity mart (DAU/WAU/MAU over exact 1/7/30-day windows)
-- and events per day by name × obj. A day is a few dozen rows.
CREATE TABLE IF NOT EXISTS steplog.site_daily
(
    day Date,
    name String,
    obj String,
    user_states AggregateFunction(uniqExact, UInt64),
    event_states AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, name, obj);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.site_daily_mv TO steplog.site_daily AS
SELECT
    toDate(time) AS day,
    name,
    obj,
    uniqExactState(user_id) AS user_states,
    countState() AS event_states
FROM steplog.site_events
GROUP BY day, name, obj;

-- site_page_daily: per (day, url) of events on pages (obj = 'page'): views and distinct visitors,
-- for the top-pages mart.
CREATE TABLE IF NOT EXISTS steplog.site_page_daily
(
    day Date,
    url String,
    user_states AggregateFunction(uniqExact, UInt64),
    event_states AggregateFunction(count)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, url);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.site_page_daily_mv TO steplog.site_page_daily AS
SELECT
    toDate(time) AS day,
    url,
    uniqExactState(user_id) AS user_states,
    countState() AS event_states
FROM steplog.site_events
WHERE obj = 'page'
GROUP BY day, url;

-- site_product_daily: per (day, product, event name) of events naming a product (product_id > 0):
-- events, distinct visitors and the amount, for the top-products mart (views, purchases, revenue).
CREATE TABLE IF NOT EXISTS steplog.site_product_daily
(
    day Date,
    product_id UInt64,
    name String,
    user_states AggregateFunction(uniqExact, UInt64),
    event_states AggregateFunction(count),
    amount_states AggregateFunction(sum, Float64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (day, product_id, name);

CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.site_product_daily_mv TO steplog.site_product_daily AS
SELECT
    toDate(time) AS day,
    product_id,
    name,
    uniqExactState(user_id) AS user_states,
    countState() AS event_states,
    sumState(amount) AS amount_states
FROM steplog.site_events
WHERE product_id > 0
GROUP BY day, product_id, name;
