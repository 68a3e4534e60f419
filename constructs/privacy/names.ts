/**
 * Names of the privacy layer that other parts address: the Glue database of the erasure subjects table,
 * the table itself and its columns, the key layout of the work and ledger buckets, the metric names and
 * the PostgreSQL role the vector forget signs in as. Pure: no CDK, so handlers, the plan and the CLIs
 * share them.
 */
import { roleNames } from '../vector-store/migrations';

/** `<project>_<env>_privacy`: the Glue database of `erasure_subjects` (lowercase, underscores: Glue and Athena rules). */
export function privacyDatabaseName(project: string, environment: string): string {
  const name = `${project}_${environment}_privacy`;
  if (!/^[a-z][a-z0-9_]{0,254}$/.test(name)) throw new Error(`privacy database name "${name}" is not a Glue database name (lowercase letters, digits, underscores)`);
  return name;
}

/** The subjects table: one row `{ subject_id }` per subject of a batch, partition `batch_id` (injected). */
export const ERASURE_SUBJECTS_TABLE = 'erasure_subjects';
export const SUBJECT_ID_COLUMN = 'subject_id';
export const BATCH_ID_COLUMN = 'batch_id';

/** A batch ID: letters, digits, `_`, `-`, at most 80 (it is spliced into SQL and S3 keys). */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Work bucket prefixes: the subjects files (the table's location), find manifests, rewrite results. */
export const SUBJECTS_PREFIX = 'subjects/';
export const FIND_PREFIX = 'find/';
export const FORGET_PREFIX = 'forget/';

/** Ledger bucket prefixes: one entry per closed request, monthly reports. */
export const LEDGER_PREFIX = 'ledger/';
export const REPORTS_PREFIX = 'reports/';

/**
 * `<db>_privacy`: the vector store role the forget-vectors function signs in as (IAM authentication).
 * The vector store's migrations create it and own its name (`roleNames`); this only reads it there.
 */
export function privacyDatabaseRoleName(databaseName: string): string {
  return roleNames(databaseName).privacy;
}

/** Namespace of the privacy functions' metrics (embedded metric format). */
export const PRIVACY_METRIC_NAMESPACE = 'Lakehouse/Privacy';

/** The metrics the handlers publish in that namespace (no dimensions). */
export const PRIVACY_METRICS = [
  'OpenRequests',
  'RequestsNearDeadline',
  'OverdueRequests',
  'RequestsErased',
  'VerificationFailures',
  'RewriteConflicts',
  'PhysicalRemovalOverdue',
] as const;
export type PrivacyMetricName = (typeof PRIVACY_METRICS)[number];
