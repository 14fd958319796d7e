-- The products with the most events in [from, to], with their visitors, purchases (events named
-- 'purchase') and amount, from site_product_daily's states.
SELECT
    product_id,
    countMerge(event_states) AS events,
    uniqExactMerge(user_states) AS users,
    countMergeIf(event_states, name = 'purchase') AS purchases,
    sumMerge(amount_states) AS amount
FROM steplog.site_product_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
GROUP BY product_id
ORDER BY events DESC, product_id
LIMIT {limit:UInt32}
