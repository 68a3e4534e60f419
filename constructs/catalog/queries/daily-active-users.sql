-- Daily active users (DAU)
--
-- Computes: for each of the last 30 complete days (UTC), the number of distinct users with at least
-- one event that day. Today is left out because it is still filling up.
--
-- Adapt: widen or narrow the window by changing both day offsets in the dt filter (keep the filter on
-- dt: it is what limits the scan to the partitions of those days). To include today, change the upper
-- bound to current_date. To count only some activity, add a condition such as
-- AND event IN ('page_view', 'feature_used').
SELECT
  CAST(dt AS date) AS activity_date,
  count(DISTINCT user_id) AS active_users
FROM {{database}}.events
WHERE dt BETWEEN date_format(current_date - interval '30' day, '%Y-%m-%d')
             AND date_format(current_date - interval '1' day, '%Y-%m-%d')
  AND user_id IS NOT NULL
GROUP BY dt
ORDER BY activity_date
