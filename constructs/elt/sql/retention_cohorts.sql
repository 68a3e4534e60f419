-- Retention cohorts: ELT into {{analytics_database}}.retention_cohorts
--
-- Computes: the rows that the day {{day}} (UTC) completes. A cohort is the set of users with a
-- signup_completed event on cohort_date; for each cohort of the 31 days ending on {{day}} (day_number
-- N = 0..30, cohort_date = {{day}} - N), the cohort size and how many of its users had any event on
-- {{day}}: retained_users, and retention_rate = retained_users / cohort_size. Day 0 is the sign-up day
-- itself (rate 1). A cohort with no sign-ups has no rows. A user who completes sign-up on two days
-- belongs to both cohorts (cohorts depend only on their own day, so every run counts them the same).
--
-- Idempotency: the rows derivable from {{day}} are exactly those with cohort_date + day_number =
-- {{day}} and day_number 0..30. The first statement deletes those rows; the second inserts them again
-- from the sign-ups of the 31 days and the activity of {{day}}. Different days write disjoint rows, so
-- days may run in any order or in parallel; re-running a day replaces its rows. The two statements are
-- separate Iceberg commits (see daily_active_users.sql).
--
-- Adapt: to follow cohorts for more days, change '30' in both places (the DELETE's lower bound and
-- the sign-up scan's lower bound); the sign-up scan then reads that many days. To define cohorts
-- by another event, change 'signup_completed'. To count only some activity as "retained", add a
-- condition on event to the active CTE.
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run), {{curated_database}} and {{analytics_database}} (at synth).
-- Statements are separated by the "-- statement" lines below; each runs as its own Athena query.

-- statement: delete the rows the day completes (cohort_date + day_number = day)
DELETE FROM {{analytics_database}}.retention_cohorts
WHERE cohort_date BETWEEN DATE '{{day}}' - INTERVAL '30' DAY AND DATE '{{day}}'
  AND day_number = date_diff('day', cohort_date, DATE '{{day}}')

-- statement: insert them from the sign-ups of the 31 days ending on the day and that day's activity
INSERT INTO {{analytics_database}}.retention_cohorts (cohort_date, day_number, cohort_size, retained_users, retention_rate)
WITH cohorts AS (
  SELECT DISTINCT
    event_date AS cohort_date,
    user_id
  FROM {{curated_database}}.events_curated
  WHERE event_date BETWEEN DATE '{{day}}' - INTERVAL '30' DAY AND DATE '{{day}}'
    AND event = 'signup_completed'
    AND user_id IS NOT NULL
),
active AS (
  SELECT DISTINCT user_id
  FROM {{curated_database}}.events_curated
  WHERE event_date = DATE '{{day}}'
    AND user_id IS NOT NULL
)
SELECT
  c.cohort_date,
  CAST(date_diff('day', c.cohort_date, DATE '{{day}}') AS integer) AS day_number,
  count(*) AS cohort_size,
  count(a.user_id) AS retained_users,
  CAST(count(a.user_id) AS double) / count(*) AS retention_rate
FROM cohorts c
LEFT JOIN active a ON a.user_id = c.user_id
GROUP BY c.cohort_date
