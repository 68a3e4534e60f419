-- Feature adoption: ELT into {{analytics_database}}.feature_adoption
--
-- Computes: for the day {{day}} (UTC) and each feature used that day, the distinct users who used it
-- and their share of all of that day's active users (adoption_rate). A feature is used through a
-- generic feature_used event, whose properties['feature'] names it, or through one of the dedicated
-- feature events {{feature_events}}, each its own feature name.
--
-- Idempotency: the first statement deletes the day's rows (every feature), the second inserts them
-- again from that day's events (event_date = '{{day}}' only). Re-running the day replaces all of its rows, also
-- dropping a feature that no longer appears; days never overlap. The two statements are separate
-- Iceberg commits (see daily_active_users.sql).
--
-- Adapt: the dedicated feature events are a synth-time setting (renderStatement / STEP_FUNCTIONS_TEMPLATE
-- option featureEvents; default report_exported, dashboard_shared, invite_sent), not an edit here. To
-- split by plan, add traits.plan to the feature_use CTE and to the table (an additive column).
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run), {{curated_database}}, {{analytics_database}} and
-- {{feature_events}} (at synth). Statements are separated by the "-- statement" lines below; each runs
-- as its own Athena query.

-- statement: delete the day's rows
DELETE FROM {{analytics_database}}.feature_adoption
WHERE activity_date = DATE '{{day}}'

-- statement: insert the day's rows from that day's events
INSERT INTO {{analytics_database}}.feature_adoption (activity_date, feature, users, adoption_rate)
WITH active AS (
  SELECT count(DISTINCT user_id) AS active_users
  FROM {{curated_database}}.events_curated
  WHERE event_date = DATE '{{day}}'
    AND user_id IS NOT NULL
),
feature_use AS (
  SELECT
    CASE WHEN event = 'feature_used' THEN element_at(properties, 'feature') ELSE event END AS feature,
    count(DISTINCT user_id) AS users
  FROM {{curated_database}}.events_curated
  WHERE event_date = DATE '{{day}}'
    AND event IN ('feature_used', {{feature_events}})
    AND user_id IS NOT NULL
  GROUP BY 1
)
SELECT
  DATE '{{day}}' AS activity_date,
  f.feature,
  f.users,
  CAST(f.users AS double) / a.active_users AS adoption_rate
FROM feature_use f
JOIN active a ON true
WHERE f.feature IS NOT NULL
  AND f.feature <> ''
