import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Errors reported by clients, partitioned by platform (an enum key) and arrival day. Reports from a
 * platform not listed land under platform=unknown, where Athena still finds them.
 */
export const clientErrors: DatasetDefinition = {
  name: 'client_errors',
  zone: 'raw',
  owner: 'platform-reliability',
  domain: 'product_analytics',
  description: 'Error reports from web and mobile clients, for triage and release health.',
  columns: [
    { name: 'error_id', type: 'string', description: 'Unique identifier of the report', classification: 'internal' },
    { name: 'app_version', type: 'string', description: 'Client version that raised the error', classification: 'public' },
    { name: 'message', type: 'string', description: 'Error message as reported by the client', classification: 'confidential' },
    { name: 'stack', type: 'array<string>', description: 'Stack frames, innermost first', classification: 'confidential' },
    { name: 'user_id', type: 'string', description: 'User who hit the error, when known', classification: 'pii' },
    { name: 'reported_at', type: 'timestamp', description: 'When the client reported the error, UTC', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: {
    keys: [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: ['web', 'ios', 'android'], otherValue: 'unknown' }],
    time: { granularity: 'day', source: { kind: 'ingestion-time' } },
  },
  retentionDays: { raw: 90 },
  freshnessSloMinutes: 15,
  ingestion: 'stream',
  // Whose rows these are: an erasure request finds a person by these columns.
  dataSubject: { keys: ['user_id'] },
  // Deployed before sharding: pinned to the base stacks so its resources never move (README, "Sharding").
  shard: 'base',
  quality: {
    uniqueKey: ['error_id'],
    completeness: { error_id: 1, app_version: 0.99 },
    freshnessColumn: 'reported_at',
  },
};
