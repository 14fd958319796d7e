-- One row per session among the events of [from, to]: each visitor's event times in order; a gap
-- of more than 30 minutes starts a new session. `starts` holds the index of each session's first
-- event; a session ends just before the next one starts (or at the visitor's last event). Not
-- from a -State table: a session spans days and needs every event of it in order.
SELECT
    user_id,
    toDate(toDateTime(intDiv(times[starts[k]], 1000), 'UTC')) AS day,
    times[if(k < length(starts), starts[k + 1] - 1, length(times))] - times[starts[k]] AS duration_ms,
    if(k < length(starts), starts[k + 1], length(times) + 1) - starts[k] AS events
FROM
(
    SELECT
        user_id,
        arraySort(groupArray(time_ms)) AS times,
        arrayFilter(i -> i = 1 OR times[i] - times[i - 1] > 1800000, arrayEnumerate(times)) AS starts
    FROM steplog.site_events
    WHERE toDate(time) BETWEEN {from:Date} AND {to:Date}
    GROUP BY user_id
)
ARRAY JOIN arrayEnumerate(starts) AS k
