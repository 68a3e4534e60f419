-- 7-day retention by sign-up cohort
--
-- Computes: for each daily sign-up cohort of the 30 days that ended 8 days ago (users whose first
-- signup_completed event in that window fell on the cohort date, UTC), split by acquisition source
-- (traits.source at sign-up): the cohort size, day-7 retention (share of the cohort with any event
-- exactly 7 days after the cohort date) and week-1 retention (share with any event on days 1-7).
-- Cohorts end 8 days ago so that every cohort's day 7 is a complete day.
--
-- Adapt: to define cohorts by another event, change 'signup_completed'. To drop the source split,
-- remove acquisition_source from the signups CTE and from the final SELECT and GROUP BY. To measure
-- day N instead of day 7, change every '7' day below and shift both scans' bounds by the same amount
-- (the cohort scan ends N + 1 days ago; the activity scan ends yesterday).
WITH signups AS (
  SELECT
    user_id,
    min(CAST(dt AS date)) AS cohort_date,
    coalesce(min_by(traits.source, event_time), 'unknown') AS acquisition_source
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '37' day, '%Y-%m-%d')
               AND date_format(current_date - interval '8' day, '%Y-%m-%d')
    AND event = 'signup_completed'
    AND user_id IS NOT NULL
  GROUP BY user_id
),
activity AS (
  SELECT DISTINCT
    user_id,
    CAST(dt AS date) AS activity_date
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '36' day, '%Y-%m-%d')
               AND date_format(current_date - interval '1' day, '%Y-%m-%d')
    AND user_id IS NOT NULL
),
per_user AS (
  SELECT
    s.cohort_date,
    s.acquisition_source,
    s.user_id,
    max(CASE WHEN a.activity_date = s.cohort_date + interval '7' day THEN 1 ELSE 0 END) AS active_on_day_7,
    max(CASE WHEN a.activity_date IS NOT NULL THEN 1 ELSE 0 END) AS active_in_week_1
  FROM signups s
  LEFT JOIN activity a
    ON a.user_id = s.user_id
   AND a.activity_date BETWEEN s.cohort_date + interval '1' day AND s.cohort_date + interval '7' day
  GROUP BY s.cohort_date, s.acquisition_source, s.user_id
)
SELECT
  cohort_date,
  acquisition_source,
  count(*) AS cohort_size,
  sum(active_on_day_7) AS day_7_retained_users,
  CAST(sum(active_on_day_7) AS double) / count(*) AS day_7_retention_rate,
  sum(active_in_week_1) AS week_1_retained_users,
  CAST(sum(active_in_week_1) AS double) / count(*) AS week_1_retention_rate
FROM per_user
GROUP BY cohort_date, acquisition_source
ORDER BY cohort_date, acquisition_source
