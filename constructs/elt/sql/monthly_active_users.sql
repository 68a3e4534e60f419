-- Monthly active users: ELT into {{analytics_database}}.monthly_active_users
--
-- Computes: for the calendar month that contains {{day}} (UTC), the number of distinct users with at
-- least one event in that month, as one row keyed by activity_month (the first day of the month). Every
-- run recomputes the whole month from all of its days that have data, so the row does not depend on
-- which day of the month ran last: after the last day of a month has run, the row is final.
--
-- Idempotency: the first statement deletes the month's row, the second inserts it again from the
-- events of that month (event_date from the month's first to its last day). Re-running any day of the month
-- replaces the row. Unlike the daily targets, all days of a month write the same row: two runs for days
-- of the same month must not overlap in time (DELETE and INSERT are separate commits, so interleaved
-- runs could insert the row twice). The backfill script never runs two days of one month at once.
--
-- Adapt: for "month to date as of the day" instead of the whole month, change the upper event_date bound to
-- DATE '{{day}}' (the row then depends on the last day run). Keep both event_date bounds: they limit the scan to one
-- month of partitions (about 30 times a daily target's scan, of the user_id column only).
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run), {{curated_database}} and {{analytics_database}} (at synth).
-- Statements are separated by the "-- statement" lines below; each runs as its own Athena query.

-- statement: delete the month's row
DELETE FROM {{analytics_database}}.monthly_active_users
WHERE activity_month = date_trunc('month', DATE '{{day}}')

-- statement: insert the month's row from that month's events
INSERT INTO {{analytics_database}}.monthly_active_users (activity_month, active_users)
SELECT
  date_trunc('month', DATE '{{day}}') AS activity_month,
  count(DISTINCT user_id) AS active_users
FROM {{curated_database}}.events_curated
WHERE event_date BETWEEN date_trunc('month', DATE '{{day}}') AND last_day_of_month(DATE '{{day}}')
  AND user_id IS NOT NULL
HAVING count(*) > 0
