-- DAU/MAU stickiness
--
-- Computes: for each of the last 30 complete days (UTC), daily active users, rolling 30-day active
-- users (that day and the 29 before it) and their ratio, the share of the month's users who come
-- back on a given day. Reads 59 days of events so that every reported day has a full 30-day window.
--
-- Adapt: for a 7-day window (DAU/WAU), change '29' day to '6' day and the scan's lower bound from
-- '59' day to '36' day. To report more days, move the '30' day (reported days) and '59' day (scan)
-- bounds back together; the scan must start 29 days before the first reported day.
WITH daily_users AS (
  SELECT DISTINCT
    CAST(dt AS date) AS activity_date,
    user_id
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '59' day, '%Y-%m-%d')
               AND date_format(current_date - interval '1' day, '%Y-%m-%d')
    AND user_id IS NOT NULL
),
daily_counts AS (
  SELECT activity_date, count(*) AS daily_active_users
  FROM daily_users
  WHERE activity_date >= current_date - interval '30' day
  GROUP BY activity_date
),
rolling_counts AS (
  SELECT d.activity_date, count(DISTINCT u.user_id) AS monthly_active_users
  FROM daily_counts d
  JOIN daily_users u
    ON u.activity_date BETWEEN d.activity_date - interval '29' day AND d.activity_date
  GROUP BY d.activity_date
)
SELECT
  d.activity_date,
  d.daily_active_users,
  r.monthly_active_users,
  CAST(d.daily_active_users AS double) / r.monthly_active_users AS stickiness
FROM daily_counts d
JOIN rolling_counts r ON r.activity_date = d.activity_date
ORDER BY d.activity_date
