-- Curated events: ELT from {{raw_database}}.events into {{curated_database}}.events_curated
--
-- Computes: the cleaned, deduplicated events of the days from {{day}} - {{lateness_days}} days to {{day}}
-- (UTC), one row per (event_date, event_id). The metrics statements that run after it read this table.
--
-- Which raw partitions: raw events are partitioned by event time (dt is the UTC day of event_time), not
-- by arrival, so an event of day D is always in dt = D however late it arrives. "Late" therefore means
-- "arrived after day D was curated": Firehose still writes an event into dt = D while it is at most
-- {{lateness_days}} days old (the events contract's maxLatenessDays; older ones go to the error prefix).
-- So each run re-curates the whole window: the run for {{day}} replaces {{day}} and the {{lateness_days}}
-- days before it, and an event that arrives within the window lands in its own day at the next daily
-- run. A day older than the window is not touched again by the schedule (re-run its day by hand, see
-- the README); the rows of dt = D whose event_time falls on another day are left out, so the DELETE and
-- the INSERT cover exactly the same days.
--
-- Cleaning (minimal; everything else is kept as sent): event trimmed and lowercased, user_id and
-- event_id trimmed (event_id also lowercased: UUIDs are case-insensitive), empty strings of those three
-- to null; rows without event_time dropped. event_time is already UTC: the producer writes ISO-8601
-- ending in Z and the Parquet column is a timestamp read in UTC, so it is not converted.
--
-- Dedupe: by event_id within a day. A record without event_id (written before the column existed, or
-- by a sender that set none) gets a surrogate id, the md5 of its cleaned record, so identical copies
-- collapse too (event_id_generated is then true). Of the copies of one id, the kept row is the most
-- complete (most non-null user_id, context and traits fields, most properties), then the earliest
-- event_time, then the smallest record hash: a total order over the rows' content, so the result does
-- not depend on the order rows or files are read in (copies with equal hashes are identical).
--
-- Idempotency: the first statement deletes the window's days, the second inserts them again from raw;
-- re-running a day, or running days in any order, gives the same table. The two statements are separate
-- Iceberg commits: between them the window is briefly absent (see daily_active_users.sql).
--
-- Adapt: to clean more, change the cleaned CTE (and add the rule to the README). Keep the dt filter: it
-- limits the scan to the window's partitions.
--
-- Placeholders: {{day}} (yyyy-mm-dd, per run); {{raw_database}}, {{curated_database}} and
-- {{lateness_days}} (at synth). Statements are separated by the "-- statement" lines below.

-- statement: delete the days the run replaces (the day and the lateness window before it)
DELETE FROM {{curated_database}}.events_curated
WHERE event_date BETWEEN DATE '{{day}}' - INTERVAL '{{lateness_days}}' DAY AND DATE '{{day}}'

-- statement: insert them again from raw, cleaned and deduplicated
INSERT INTO {{curated_database}}.events_curated (event, user_id, event_time, context, traits, properties, event_id, event_date, event_id_generated)
WITH cleaned AS (
  SELECT
    nullif(lower(trim(event)), '') AS event,
    nullif(trim(user_id), '') AS user_id,
    event_time,
    context,
    traits,
    properties,
    nullif(lower(trim(event_id)), '') AS sent_event_id,
    CAST(event_time AS date) AS event_date
  FROM {{raw_database}}.events
  WHERE dt BETWEEN date_format(DATE '{{day}}' - INTERVAL '{{lateness_days}}' DAY, '%Y-%m-%d') AND '{{day}}'
    AND event_time IS NOT NULL
),
fingerprinted AS (
  SELECT
    c.*,
    -- Each field as <length>:<value>, or - for null, so that no two different records render alike.
    lower(to_hex(md5(to_utf8(
      coalesce(CAST(length(event) AS varchar) || ':' || event, '-') || '|' ||
      coalesce(CAST(length(user_id) AS varchar) || ':' || user_id, '-') || '|' ||
      CAST(event_time AS varchar) || '|' ||
      coalesce(CAST(length(context.page_url) AS varchar) || ':' || context.page_url, '-') || '|' ||
      coalesce(CAST(length(context.referrer) AS varchar) || ':' || context.referrer, '-') || '|' ||
      coalesce(CAST(length(traits.plan) AS varchar) || ':' || traits.plan, '-') || '|' ||
      coalesce(CAST(length(traits.source) AS varchar) || ':' || traits.source, '-') || '|' ||
      coalesce(json_format(CAST(array_sort(map_entries(properties)) AS JSON)), '-')
    )))) AS record_hash,
    (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)
      + (CASE WHEN context.page_url IS NULL THEN 0 ELSE 1 END)
      + (CASE WHEN context.referrer IS NULL THEN 0 ELSE 1 END)
      + (CASE WHEN traits.plan IS NULL THEN 0 ELSE 1 END)
      + (CASE WHEN traits.source IS NULL THEN 0 ELSE 1 END)
      + coalesce(cardinality(properties), 0) AS filled
  FROM cleaned c
  WHERE event_date BETWEEN DATE '{{day}}' - INTERVAL '{{lateness_days}}' DAY AND DATE '{{day}}'
),
identified AS (
  SELECT f.*, coalesce(sent_event_id, record_hash) AS id
  FROM fingerprinted f
),
ranked AS (
  SELECT
    i.*,
    row_number() OVER (PARTITION BY event_date, id ORDER BY filled DESC, event_time, record_hash) AS copy_number
  FROM identified i
)
SELECT event, user_id, event_time, context, traits, properties, id AS event_id, event_date, sent_event_id IS NULL AS event_id_generated
FROM ranked
WHERE copy_number = 1
