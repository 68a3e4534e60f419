-- Daily active users: ELT into {{analytics_database}}.daily_active_users
--
-- Computes: for the day {{day}} (UTC), the number of distinct users with at least one event that day,
-- as one row keyed by activity_date. A day without any event gets no row (missing data is not zero
-- users; the freshness check on activity_date then notices the gap).
--
-- Idempotency: the first statement deletes the day's row, the second inserts it again from that day's
-- events (event_date = '{{day}}' only). Running the pair again for the same day replaces the row; days never
-- overlap, so days may run in any order or in parallel. The two statements are separate Iceberg
-- commits: between them the day is briefly absent, and if the insert fails the day stays absent until
-- the pair is re-run (the state machine retries it).
--
-- Adapt: to count only some activity, add a condition such as AND event IN ('page_view', 'feature_used')
-- to the insert. Keep the event_date filter: it is what limits the scan to one day's partitions.
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run), {{curated_database}} and {{analytics_database}} (at synth).
-- Statements are separated by the "-- statement" lines below; each runs as its own Athena query.

-- statement: delete the day's row
DELETE FROM {{analytics_database}}.daily_active_users
WHERE activity_date = DATE '{{day}}'

-- statement: insert the day's row from that day's events
INSERT INTO {{analytics_database}}.daily_active_users (activity_date, active_users)
SELECT
  DATE '{{day}}' AS activity_date,
  count(DISTINCT user_id) AS active_users
FROM {{curated_database}}.events_curated
WHERE event_date = DATE '{{day}}'
  AND user_id IS NOT NULL
HAVING count(*) > 0
