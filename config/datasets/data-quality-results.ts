import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * History of every data-quality check: one row per check and run, appended by the data-quality function.
 * Iceberg, so that runs can be corrected or expired with SQL.
 */
export const dataQualityResults: DatasetDefinition = {
  name: 'data_quality_results',
  zone: 'analytics',
  owner: 'data-platform-team',
  domain: 'operations',
  description: 'Results of the data-quality checks compiled from the dataset contracts, one row per check and run.',
  columns: [
    { name: 'run_id', type: 'string', description: 'Identifier of the check run', classification: 'internal' },
    { name: 'checked_at', type: 'timestamp', description: 'When the check ran, UTC', classification: 'internal' },
    { name: 'dataset', type: 'string', description: 'Dataset checked', classification: 'internal' },
    { name: 'check_id', type: 'string', description: 'Check identifier, e.g. completeness.user_id', classification: 'internal' },
    { name: 'kind', type: 'string', description: 'Check kind: completeness, uniqueness, accepted_values, range, format, row_count, freshness', classification: 'internal' },
    { name: 'value', type: 'double', description: 'Measured value', classification: 'internal' },
    { name: 'threshold', type: 'double', description: 'Threshold from the contract', classification: 'internal' },
    { name: 'passed', type: 'boolean', description: 'Whether the check passed', classification: 'internal' },
    { name: 'query_execution_id', type: 'string', description: 'Athena query that measured it', classification: 'internal' },
    { name: 'check_date', type: 'date', description: 'Day of the run, UTC (partition source)', classification: 'internal' },
  ],
  format: 'iceberg',
  partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'check_date' } } },
  freshnessSloMinutes: 2 * 60,
  ingestion: 'batch',
  // Deployed before sharding: pinned to the base stacks so its resources never move (README, "Sharding").
  shard: 'base',
  quality: { completeness: { check_id: 1, passed: 1 } },
};
