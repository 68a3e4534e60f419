/**
 * The values PII discovery and the access trail accept, shared by the constructs' synth-time checks and
 * the app's configuration schema (config/privacy-audit-schema.ts), so both refuse the same inputs.
 */

/** `FindingPublishingFrequency` of `AWS::Macie::Session`. */
export const FINDING_PUBLISHING_FREQUENCIES = ['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'] as const;
export type FindingPublishingFrequency = (typeof FINDING_PUBLISHING_FREQUENCIES)[number];

/** How often the scheduled classification job runs (Macie's daily, weekly and monthly schedules). */
export const DISCOVERY_SCHEDULES = ['daily', 'weekly', 'monthly'] as const;
export type DiscoverySchedule = (typeof DISCOVERY_SCHEDULES)[number];

/** Macie finding severities (`detail.severity.description`), lowest first. */
export const FINDING_SEVERITIES = ['Low', 'Medium', 'High'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** Ten years: longer trail retention is refused as a likely typo (days for months). */
export const MAX_TRAIL_RETENTION_DAYS = 3653;

/** Macie accepts up to 1,000 buckets per job definition; more is refused at synth. */
export const MAX_JOB_BUCKETS = 1000;

/**
 * CloudTrail allows 500 condition values across all advanced event selectors of a trail; each bucket
 * costs one, and the management-event selector a few.
 */
export const MAX_TRAIL_BUCKETS = 250;
