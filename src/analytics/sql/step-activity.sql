-- Per step over [from, to]: submit and solve events, and the distinct users who did each.
SELECT
    step_id,
    countMergeIf(event_states, action_id = 1) AS submits,
    countMergeIf(event_states, action_id = 2) AS solves,
    uniqExactMergeIf(user_states, action_id = 1) AS submit_users,
    uniqExactMergeIf(user_states, action_id = 2) AS solve_users
FROM steplog.step_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
GROUP BY step_id
HAVING submits + solves > 0
ORDER BY step_id
