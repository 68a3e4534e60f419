import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Run history of every job (ELT statement, data-quality run, and later the curated, embeddings and
 * erasure jobs), one row per OpenLineage-style run event (constructs/lineage). "Which job wrote this
 * table, from what, when" is a query on it (docs/lineage.md). Iceberg: jobs append with Athena INSERT.
 */
export const lineage: DatasetDefinition = {
  name: 'lineage',
  zone: 'analytics',
  owner: 'data-platform-team',
  // 'operations', like data_quality_results: a platform table about the platform's own jobs. A new
  // domain would change the account-wide LF-tag of every environment for one table.
  domain: 'operations',
  description: 'OpenLineage-style run events of the platform jobs: one row per event, with the tables each run read and wrote.',
  columns: [
    { name: 'event_time', type: 'timestamp', description: 'When the event happened, UTC (OpenLineage eventTime; partition source)', classification: 'internal' },
    { name: 'event_type', type: 'string', description: 'OpenLineage eventType: START, RUNNING, COMPLETE, ABORT, FAIL or OTHER', classification: 'internal' },
    { name: 'run_id', type: 'string', description: 'OpenLineage run.runId: the Step Functions execution name or the EventBridge event id', classification: 'internal' },
    { name: 'job_namespace', type: 'string', description: 'OpenLineage job.namespace: `<project>-<env>`', classification: 'internal' },
    { name: 'job_name', type: 'string', description: 'OpenLineage job.name, e.g. metrics_elt.daily_active_users', classification: 'internal' },
    {
      name: 'inputs',
      type: 'array<struct<namespace:string,name:string>>',
      description: 'Tables the run read (OpenLineage inputs: Athena namespace, catalog.database.table)',
      classification: 'internal',
    },
    {
      name: 'outputs',
      type: 'array<struct<namespace:string,name:string>>',
      description: 'Tables the run wrote (OpenLineage outputs)',
      classification: 'internal',
    },
    { name: 'input_row_count', type: 'bigint', description: 'Rows read, when the job knows it (OpenLineage inputStatistics.rowCount)', classification: 'internal' },
    { name: 'output_row_count', type: 'bigint', description: 'Rows written, when the job knows it (OpenLineage outputStatistics.rowCount)', classification: 'internal' },
    { name: 'producer', type: 'string', description: 'OpenLineage producer: URI of the code that emitted the event', classification: 'internal' },
    { name: 'schema_url', type: 'string', description: 'OpenLineage schemaURL of the RunEvent definition the row follows', classification: 'internal' },
    { name: 'facets', type: 'map<string,string>', description: 'Other run facts as text (e.g. day, query_execution_id, error)', classification: 'internal' },
  ],
  format: 'iceberg',
  partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'event_time' } } },
  freshnessSloMinutes: 26 * 60, // the daily ELT records at least once a day
  ingestion: 'batch',
  // The jobs that append to it (ELT, data quality) and their grants live in the base stacks.
  shard: 'base',
  quality: {
    completeness: { event_time: 1, event_type: 1, run_id: 1, job_name: 1 },
    acceptedValues: { event_type: ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] },
  },
};
