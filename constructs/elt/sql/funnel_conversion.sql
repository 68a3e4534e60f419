-- Conversion funnel: ELT into {{analytics_database}}.funnel_conversion
--
-- Computes: for the day {{day}} (UTC), the funnel signup_started -> signup_completed -> first_purchase
-- (funnel 'signup_to_first_purchase'): users who entered it that day (their first signup_started of
-- the day), how many of them reached each later step in order (each step at or after the previous
-- one) on the same day, and conversion_rate = users at the step / users at step 1. Always three rows
-- for a day with events (users 0 and conversion_rate NULL when nobody entered); no rows for a day
-- without events.
--
-- Idempotency: the first statement deletes the day's rows (every funnel step), the second inserts them
-- again from that day's events only (event_date = '{{day}}'): the conversion window is the rest of the UTC day,
-- so a day's rows never depend on later days and days never overlap. The two statements are separate
-- Iceberg commits (see daily_active_users.sql).
--
-- Adapt: to use other steps, change the event names in the IN list, in each step CTE and in the
-- step_name literals (and the funnel name, which is part of the key). For a conversion window of
-- several days (as in the funnel-conversion named query), the day's rows need later days' events:
-- widen the event_date filter to [day, day + window], and expect to re-run each day until its window has
-- passed (its rows change until then).
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run), {{curated_database}} and {{analytics_database}} (at synth).
-- Statements are separated by the "-- statement" lines below; each runs as its own Athena query.

-- statement: delete the day's rows
DELETE FROM {{analytics_database}}.funnel_conversion
WHERE activity_date = DATE '{{day}}'

-- statement: insert the day's rows from that day's events
INSERT INTO {{analytics_database}}.funnel_conversion (activity_date, funnel, step_number, step_name, users, conversion_rate)
WITH step_events AS (
  SELECT user_id, event, event_time
  FROM {{curated_database}}.events_curated
  WHERE event_date = DATE '{{day}}'
    AND event IN ('signup_started', 'signup_completed', 'first_purchase')
    AND user_id IS NOT NULL
),
-- Any event at all that day: without it the day gets no rows (missing data is not zero users).
day_events AS (
  SELECT count(*) AS event_count
  FROM {{curated_database}}.events_curated
  WHERE event_date = DATE '{{day}}'
),
step_1 AS (
  SELECT user_id, min(event_time) AS step_1_time
  FROM step_events
  WHERE event = 'signup_started'
  GROUP BY user_id
),
step_2 AS (
  SELECT s1.user_id, min(e.event_time) AS step_2_time
  FROM step_1 s1
  JOIN step_events e
    ON e.user_id = s1.user_id
   AND e.event = 'signup_completed'
   AND e.event_time >= s1.step_1_time
  GROUP BY s1.user_id
),
step_3 AS (
  SELECT s2.user_id, min(e.event_time) AS step_3_time
  FROM step_2 s2
  JOIN step_events e
    ON e.user_id = s2.user_id
   AND e.event = 'first_purchase'
   AND e.event_time >= s2.step_2_time
  GROUP BY s2.user_id
),
funnel AS (
  SELECT s1.user_id, s1.step_1_time, s2.step_2_time, s3.step_3_time
  FROM step_1 s1
  LEFT JOIN step_2 s2 ON s2.user_id = s1.user_id
  LEFT JOIN step_3 s3 ON s3.user_id = s1.user_id
),
counts AS (
  SELECT
    count(step_1_time) AS step_1_users,
    count(step_2_time) AS step_2_users,
    count(step_3_time) AS step_3_users
  FROM funnel
),
totals AS (
  SELECT c.step_1_users, c.step_2_users, c.step_3_users
  FROM counts c
  JOIN day_events d ON d.event_count > 0
)
SELECT DATE '{{day}}' AS activity_date, 'signup_to_first_purchase' AS funnel, 1 AS step_number, 'signup_started' AS step_name,
       step_1_users AS users, CAST(step_1_users AS double) / nullif(step_1_users, 0) AS conversion_rate
FROM totals
UNION ALL
SELECT DATE '{{day}}', 'signup_to_first_purchase', 2, 'signup_completed',
       step_2_users, CAST(step_2_users AS double) / nullif(step_1_users, 0)
FROM totals
UNION ALL
SELECT DATE '{{day}}', 'signup_to_first_purchase', 3, 'first_purchase',
       step_3_users, CAST(step_3_users AS double) / nullif(step_1_users, 0)
FROM totals
