/**
 * The Macie classification job PII discovery runs, as plain data: the construct renders it into the
 * custom resource's properties, the handler turns it into a CreateClassificationJob request. No CDK
 * imports: the handler bundle includes this file.
 */
import { DISCOVERY_SCHEDULES, MAX_JOB_BUCKETS, type DiscoverySchedule } from '../audit-limits';

/** What the job scans and how often; every field is part of the job's identity (jobs cannot be updated). */
export interface ClassificationJobSpec {
  /** Job name, 1-500 characters. */
  readonly name: string;
  readonly description: string;
  /** The account that owns the buckets (this account). */
  readonly accountId: string;
  /** Bucket names, 1-1000, no duplicates. */
  readonly buckets: readonly string[];
  readonly schedule: DiscoverySchedule;
  /** Whole number 1-100. */
  readonly samplingPercentage: number;
}

/** Day the weekly and monthly runs fall on: early in the week and month, away from month-end batch loads. */
export const WEEKLY_RUN_DAY = 'MONDAY';
export const MONTHLY_RUN_DAY = 1;

/** Macie's `scheduleFrequency` for a schedule. */
export function scheduleFrequency(schedule: DiscoverySchedule): Record<string, unknown> {
  switch (schedule) {
    case 'daily':
      return { dailySchedule: {} };
    case 'weekly':
      return { weeklySchedule: { dayOfWeek: WEEKLY_RUN_DAY } };
    case 'monthly':
      return { monthlySchedule: { dayOfMonth: MONTHLY_RUN_DAY } };
  }
}

/** The CreateClassificationJob request body for `spec` (without the idempotency token). */
export function createJobRequest(spec: ClassificationJobSpec) {
  return {
    name: spec.name,
    description: spec.description,
    jobType: 'SCHEDULED' as const,
    // Scan what is already there at creation; later runs scan only new and changed objects.
    initialRun: true,
    managedDataIdentifierSelector: 'RECOMMENDED' as const,
    samplingPercentage: spec.samplingPercentage,
    s3JobDefinition: { bucketDefinitions: [{ accountId: spec.accountId, buckets: [...spec.buckets] }] },
    scheduleFrequency: scheduleFrequency(spec.schedule),
  };
}

/**
 * Problems with a spec, as `field: got …; allowed` lines (empty when valid). The construct checks the
 * literal fields at synth; the handler checks everything again, since bucket names and the account are
 * only known at deploy time.
 */
export function jobSpecProblems(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null) return [`spec: got ${JSON.stringify(spec)}; expected an object`];
  const s = spec as Record<string, unknown>;
  const problems: string[] = [];
  const known = ['name', 'description', 'accountId', 'buckets', 'schedule', 'samplingPercentage'];
  for (const key of Object.keys(s)) if (!known.includes(key)) problems.push(`${key}: unknown field; known fields are ${known.join(', ')}`);
  if (typeof s.name !== 'string' || s.name.length < 1 || s.name.length > 500) problems.push(`name: got ${JSON.stringify(s.name)}; expected 1-500 characters`);
  if (typeof s.description !== 'string' || s.description.length > 200) problems.push(`description: got ${JSON.stringify(s.description)}; expected at most 200 characters`);
  if (typeof s.accountId !== 'string' || !/^\d{12}$/.test(s.accountId)) problems.push(`accountId: got ${JSON.stringify(s.accountId)}; expected a 12-digit AWS account ID`);
  if (!Array.isArray(s.buckets) || s.buckets.length < 1 || s.buckets.length > MAX_JOB_BUCKETS) {
    problems.push(`buckets: got ${Array.isArray(s.buckets) ? `${s.buckets.length} buckets` : JSON.stringify(s.buckets)}; expected 1-${MAX_JOB_BUCKETS} bucket names`);
  } else {
    s.buckets.forEach((bucket: unknown, index) => {
      if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
        problems.push(`buckets[${index}]: got ${JSON.stringify(bucket)}; expected an S3 bucket name`);
      } else if (s.buckets && (s.buckets as unknown[]).indexOf(bucket) !== index) {
        problems.push(`buckets[${index}]: got ${JSON.stringify(bucket)}; listed twice`);
      }
    });
  }
  if (!(DISCOVERY_SCHEDULES as readonly unknown[]).includes(s.schedule)) problems.push(`schedule: got ${JSON.stringify(s.schedule)}; expected one of ${DISCOVERY_SCHEDULES.join(', ')}`);
  if (typeof s.samplingPercentage !== 'number' || !Number.isInteger(s.samplingPercentage) || s.samplingPercentage < 1 || s.samplingPercentage > 100) {
    problems.push(`samplingPercentage: got ${JSON.stringify(s.samplingPercentage)}; expected a whole number from 1 to 100`);
  }
  return problems;
}

/**
 * Whether two specs describe the same job. Bucket order does not matter (Macie scans a set), every
 * other field does: a classification job cannot be changed after creation, so any difference means a
 * new job.
 */
export function sameJob(a: ClassificationJobSpec, b: ClassificationJobSpec): boolean {
  return canonicalSpec(a) === canonicalSpec(b);
}

/** The spec as one string, independent of bucket order and key order: equal strings, same job. */
export function canonicalSpec(spec: ClassificationJobSpec): string {
  return JSON.stringify({ ...spec, buckets: [...spec.buckets].sort() }, Object.keys(spec).sort());
}
