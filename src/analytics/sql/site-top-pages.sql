-- The most viewed pages (events with obj = 'page') of [from, to], from site_page_daily's states.
SELECT url, countMerge(event_states) AS events, uniqExactMerge(user_states) AS users
FROM steplog.site_page_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
GROUP BY url
ORDER BY events DESC, url
LIMIT {limit:UInt32}
