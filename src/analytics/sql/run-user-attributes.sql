-- The denormalized user attributes a load run's events carry: one row per distinct combination,
-- so a user whose rows disagree shows up twice.
SELECT
    user_id,
    name,
    email,
    toString(join_date) AS join_date,
    toString(registration_date) AS registration_date,
    is_guest,
    count() AS events
FROM steplog.events
WHERE startsWith(toString(event_id), {prefix:String})
GROUP BY user_id, name, email, join_date, registration_date, is_guest
ORDER BY user_id
