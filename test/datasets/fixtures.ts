import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * A test-only dataset that exercises the partition kinds the shipped ones do not: an injected key, an
 * enum key with the default catch-all, and monthly event-time partitions.
 */
export const tenantUsage: DatasetDefinition = {
  name: 'tenant_usage',
  zone: 'curated',
  owner: 'billing',
  domain: 'billing',
  description: 'Metered usage per tenant, for invoicing.',
  columns: [
    { name: 'meter', type: 'string', description: 'What was metered', classification: 'internal' },
    { name: 'quantity', type: 'decimal(18,4)', description: 'Amount used', classification: 'confidential' },
    { name: 'measured_at', type: 'timestamp', description: 'When it was measured, UTC', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: {
    keys: [
      { kind: 'injected', name: 'tenant', sourceField: 'tenant_id' },
      { kind: 'enum', name: 'region', sourceField: 'region', values: ['eu', 'us', 'apac'] },
    ],
    time: { granularity: 'month', source: { kind: 'event-time', column: 'measured_at' }, maxLatenessDays: 45, maxFutureSkewHours: 6 },
  },
  retentionDays: { curated: 730 },
  freshnessSloMinutes: 30,
  ingestion: 'stream',
};
