-- Conversion funnel: signup_started -> signup_completed -> first_purchase
--
-- Computes: of the users who entered the funnel (first signup_started) in the 30 days that ended 8 days
-- ago (UTC), how many reached each later step in order (each step after the previous one) within 7
-- days of entering, with conversion from the first and from the previous step. Entries end 8 days ago
-- so that every user has had the full 7 days to convert.
--
-- Adapt: to use other steps, change the event names in three places: the IN list of step_events, the
-- event = '...' condition of each step CTE, and the step_name literals of the final SELECTs. To add a
-- step, copy step_3 as step_4 (joining step_3), add its column to funnel and totals, and add one more
-- UNION ALL branch. To change the conversion window, change '7' day in every step CTE and shift the
-- entry bound ('8' day) to window + 1.
WITH step_events AS (
  SELECT dt, user_id, event, event_time
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '37' day, '%Y-%m-%d')
               AND date_format(current_date - interval '1' day, '%Y-%m-%d')
    AND event IN ('signup_started', 'signup_completed', 'first_purchase')
    AND user_id IS NOT NULL
),
step_1 AS (
  SELECT user_id, min(event_time) AS step_1_time
  FROM step_events
  WHERE event = 'signup_started'
    AND dt <= date_format(current_date - interval '8' day, '%Y-%m-%d')
  GROUP BY user_id
),
step_2 AS (
  SELECT s1.user_id, s1.step_1_time, min(e.event_time) AS step_2_time
  FROM step_1 s1
  JOIN step_events e
    ON e.user_id = s1.user_id
   AND e.event = 'signup_completed'
   AND e.event_time >= s1.step_1_time
   AND e.event_time <= s1.step_1_time + interval '7' day
  GROUP BY s1.user_id, s1.step_1_time
),
step_3 AS (
  SELECT s2.user_id, min(e.event_time) AS step_3_time
  FROM step_2 s2
  JOIN step_events e
    ON e.user_id = s2.user_id
   AND e.event = 'first_purchase'
   AND e.event_time >= s2.step_2_time
   AND e.event_time <= s2.step_1_time + interval '7' day
  GROUP BY s2.user_id
),
funnel AS (
  SELECT s1.user_id, s1.step_1_time, s2.step_2_time, s3.step_3_time
  FROM step_1 s1
  LEFT JOIN step_2 s2 ON s2.user_id = s1.user_id
  LEFT JOIN step_3 s3 ON s3.user_id = s1.user_id
),
totals AS (
  SELECT
    count(step_1_time) AS step_1_users,
    count(step_2_time) AS step_2_users,
    count(step_3_time) AS step_3_users
  FROM funnel
)
SELECT 1 AS step_number, 'signup_started' AS step_name, step_1_users AS users,
       CAST(1 AS double) AS conversion_from_first_step, CAST(1 AS double) AS conversion_from_previous_step
FROM totals
UNION ALL
SELECT 2, 'signup_completed', step_2_users,
       CAST(step_2_users AS double) / nullif(step_1_users, 0), CAST(step_2_users AS double) / nullif(step_1_users, 0)
FROM totals
UNION ALL
SELECT 3, 'first_purchase', step_3_users,
       CAST(step_3_users AS double) / nullif(step_1_users, 0), CAST(step_3_users AS double) / nullif(step_2_users, 0)
FROM totals
ORDER BY step_number
