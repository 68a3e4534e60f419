-- Monthly active users (MAU)
--
-- Computes: for the current calendar month (so far) and the three before it (UTC), the number of
-- distinct users with at least one event in the month. days_covered shows how many days of the month
-- had any data, so a partial month (the current one, or the oldest one if data starts mid-month) is
-- visible as such.
--
-- Adapt: change '3' month to look further back (each month scans about a month of events). For a
-- rolling 30-day MAU instead of calendar months, see dau-mau-stickiness.
SELECT
  date_trunc('month', CAST(dt AS date)) AS activity_month,
  count(DISTINCT user_id) AS active_users,
  count(DISTINCT dt) AS days_covered
FROM {{database}}.events
WHERE dt BETWEEN date_format(date_trunc('month', current_date) - interval '3' month, '%Y-%m-%d')
             AND date_format(current_date, '%Y-%m-%d')
  AND user_id IS NOT NULL
GROUP BY date_trunc('month', CAST(dt AS date))
ORDER BY activity_month
