-- Part 4 of the tasktracker seed: unique users per day, across all events or for one action.
SELECT
    toString(toDate(time)) AS day,
    uniqExact(user_id) AS users,
    count() AS events
FROM steplog.events
WHERE toDate(time) BETWEEN {from:Date} AND {to:Date}
  AND ({action_id:Int16} < 0 OR action_id = {action_id:Int16})
GROUP BY day
ORDER BY day
