-- Per experiment and variant: visitors exposed in [from, to] (an event of theirs carried the
-- variant), how many of them have an event named {conversion} in [from, to], and the sum of the
-- amounts of all their events in [from, to]. A visitor shown two variants counts in both.
SELECT
    experiment,
    variant,
    count() AS users,
    sum(converted) AS converted,
    sum(amount) AS amount
FROM
(
    SELECT DISTINCT user_id, experiment, variant
    FROM steplog.site_events
    ARRAY JOIN exp_keys AS experiment, exp_values AS variant
    WHERE toDate(time) BETWEEN {from:Date} AND {to:Date}
) AS exposures
ANY LEFT JOIN
(
    SELECT user_id, max(name = {conversion:String}) AS converted, sum(amount) AS amount
    FROM steplog.site_events
    WHERE toDate(time) BETWEEN {from:Date} AND {to:Date}
    GROUP BY user_id
) AS visitors USING user_id
GROUP BY experiment, variant
ORDER BY experiment, variant
