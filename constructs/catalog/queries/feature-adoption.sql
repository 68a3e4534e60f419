-- Feature adoption
--
-- Computes: for each of the last 30 complete days (UTC) and each feature, the distinct users who used
-- the feature and their share of that day's active users. A feature is used either through a
-- dedicated event (report_exported, dashboard_shared, invite_sent) or through a generic feature_used
-- event whose properties['feature'] names it (a missing or empty name is no feature, as in the ELT).
--
-- Adapt: list your own feature events in the IN list (the CASE maps feature_used to its property;
-- other events are their own feature name). To split by plan, add traits.plan to the SELECT and
-- GROUP BY of both CTEs and to the join. Keep the dt filters: they bound the scan to 30 days.
WITH active AS (
  SELECT dt, count(DISTINCT user_id) AS active_users
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '30' day, '%Y-%m-%d')
               AND date_format(current_date - interval '1' day, '%Y-%m-%d')
    AND user_id IS NOT NULL
  GROUP BY dt
),
feature_use AS (
  SELECT
    dt,
    CASE WHEN event = 'feature_used' THEN element_at(properties, 'feature') ELSE event END AS feature,
    count(DISTINCT user_id) AS users
  FROM {{database}}.events
  WHERE dt BETWEEN date_format(current_date - interval '30' day, '%Y-%m-%d')
               AND date_format(current_date - interval '1' day, '%Y-%m-%d')
    AND event IN ('feature_used', 'report_exported', 'dashboard_shared', 'invite_sent')
    AND user_id IS NOT NULL
  GROUP BY 1, 2
)
SELECT
  CAST(f.dt AS date) AS activity_date,
  f.feature,
  f.users,
  CAST(f.users AS double) / a.active_users AS adoption_rate
FROM feature_use f
JOIN active a ON a.dt = f.dt
WHERE f.feature IS NOT NULL
  AND f.feature <> ''
ORDER BY activity_date, f.feature
