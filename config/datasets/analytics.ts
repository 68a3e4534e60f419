import type { ColumnDefinition, DatasetDefinition, QualityRules } from '../../constructs/datasets';

/**
 * Product metrics materialised from `events` by the ELT (a later issue), stored as Iceberg tables in
 * the analytics zone so that a day can be replaced atomically. Aggregates carry no user identifiers.
 */
const metric = (
  name: string,
  description: string,
  dateColumn: ColumnDefinition,
  columns: ColumnDefinition[],
  uniqueKey: string[],
  rules: Omit<QualityRules, 'uniqueKey' | 'completeness'> = {},
  freshnessSloMinutes = DAILY_FRESHNESS_SLO_MINUTES,
): DatasetDefinition => ({
  name,
  zone: 'analytics',
  owner: 'product-analytics',
  domain: 'product_analytics',
  description,
  columns: [dateColumn, ...columns],
  format: 'iceberg',
  partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: dateColumn.name } } },
  freshnessSloMinutes,
  ingestion: 'batch',
  // Deployed before sharding: pinned to the base stacks so its resources never move (README, "Sharding").
  shard: 'base',
  // Checked after each day's ELT by the pipeline (docs/pipeline.md) and hourly by the data-quality function.
  quality: { uniqueKey, completeness: { [dateColumn.name]: 1 }, ...rules },
});

/**
 * A day is complete at its end; the daily pipeline starts at 01:30 UTC, may wait up to 2 h for its inputs,
 * then runs the ELT: 28 h covers that with an hour's slack.
 */
const DAILY_FRESHNESS_SLO_MINUTES = 28 * 60;
/** Shares: user counts over user counts of the same day or cohort. */
const SHARE = { min: 0, max: 1 };

const activityDate: ColumnDefinition = { name: 'activity_date', type: 'date', description: 'Day of activity, UTC', classification: 'internal' };
const count = (name: string, description: string): ColumnDefinition => ({ name, type: 'bigint', description, classification: 'internal' });
const rate = (name: string, description: string): ColumnDefinition => ({ name, type: 'double', description, classification: 'internal' });

export const dailyActiveUsers = metric(
  'daily_active_users',
  'Distinct users with at least one event per day.',
  activityDate,
  [count('active_users', 'Distinct active users that day')],
  ['activity_date'],
  // A day is written only when it had events, so it has at least one user.
  { ranges: { active_users: { min: 1 } } },
);

export const monthlyActiveUsers = metric(
  'monthly_active_users',
  'Distinct users with at least one event per calendar month.',
  { name: 'activity_month', type: 'date', description: 'First day of the month, UTC', classification: 'internal' },
  [count('active_users', 'Distinct active users that month')],
  ['activity_month'],
  { ranges: { active_users: { min: 1 } } },
  // The month's row carries the month's first day: its newest date is up to 31 days old on a normal day.
  32 * 24 * 60 + DAILY_FRESHNESS_SLO_MINUTES,
);

export const retentionCohorts = metric(
  'retention_cohorts',
  'Share of each daily sign-up cohort still active N days later.',
  { name: 'cohort_date', type: 'date', description: 'Day the cohort first appeared, UTC', classification: 'internal' },
  [
    { name: 'day_number', type: 'int', description: 'Days since the cohort date', classification: 'internal' },
    count('cohort_size', 'Users in the cohort'),
    count('retained_users', 'Cohort users active on day_number'),
    rate('retention_rate', 'retained_users / cohort_size'),
  ],
  ['cohort_date', 'day_number'],
  { ranges: { day_number: { min: 0 }, cohort_size: { min: 1 }, retained_users: { min: 0 }, retention_rate: SHARE } },
);

export const featureAdoption = metric(
  'feature_adoption',
  'Distinct users of each feature per day, and their share of active users.',
  activityDate,
  [
    { name: 'feature', type: 'string', description: 'Feature name (the event name that signals its use)', classification: 'internal' },
    count('users', 'Distinct users of the feature that day'),
    rate('adoption_rate', 'users / active users that day'),
  ],
  ['activity_date', 'feature'],
  { ranges: { users: { min: 1 }, adoption_rate: SHARE } },
);

export const funnelConversion = metric(
  'funnel_conversion',
  'Users reaching each step of a funnel per day, and conversion from the first step.',
  activityDate,
  [
    { name: 'funnel', type: 'string', description: 'Funnel name', classification: 'internal' },
    { name: 'step_number', type: 'int', description: 'Position of the step, from 1', classification: 'internal' },
    { name: 'step_name', type: 'string', description: 'Event that marks the step', classification: 'internal' },
    count('users', 'Distinct users reaching the step that day'),
    rate('conversion_rate', 'users / users at step 1'),
  ],
  ['activity_date', 'funnel', 'step_number'],
  {
    ranges: { step_number: { min: 1 }, users: { min: 0 }, conversion_rate: SHARE },
    acceptedValues: { funnel: ['signup_to_first_purchase'], step_name: ['signup_started', 'signup_completed', 'first_purchase'] },
  },
);

export const analyticsDatasets = [dailyActiveUsers, monthlyActiveUsers, retentionCohorts, featureAdoption, funnelConversion];
