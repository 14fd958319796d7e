-- Every row of steplog.site_events whose visitor id lies in a load run's range (steplog load
-- --family site gives each run its own range), with the fields the run sent: the proof side of a
-- site load. One row per stored row, so a row stored twice shows up twice.
SELECT
    user_id,
    time_ms,
    toString(event_id) AS event_id,
    name,
    url,
    obj,
    obj_id,
    product_id,
    amount,
    exp_keys,
    exp_values
FROM steplog.site_events
WHERE user_id >= {user_id_from:UInt64} AND user_id <= {user_id_to:UInt64}
ORDER BY user_id, time_ms
