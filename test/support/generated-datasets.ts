import type { DatasetDefinition } from '../../constructs/datasets';

export interface GeneratedDatasetOptions {
  /** Domains to spread the datasets over, round robin. @default the shipped config's three */
  readonly domains?: readonly string[];
  /** Name prefix (names are `<prefix>_<number>`). @default 'gen' */
  readonly prefix?: string;
  /** First number. @default 0 */
  readonly start?: number;
}

export const DEFAULT_GENERATED_DOMAINS = ['product_analytics', 'knowledge', 'operations'] as const;

/**
 * `count` valid datasets shaped like the shipped ones, quality rules included: three in four are streamed
 * Parquet datasets in the raw zone like `events` (event time, retention, completeness, format and row
 * count rules; one in three with a retention), one in four an Iceberg table in the analytics zone like the metrics tables (unique key,
 * completeness). Deterministic: the same arguments give the same datasets.
 */
export function generateDatasets(count: number, options: GeneratedDatasetOptions = {}): DatasetDefinition[] {
  const domains = options.domains ?? DEFAULT_GENERATED_DOMAINS;
  const prefix = options.prefix ?? 'gen';
  const start = options.start ?? 0;
  return Array.from({ length: count }, (_, index) => {
    const number = start + index;
    const name = `${prefix}_${String(number).padStart(4, '0')}`;
    const domain = domains[number % domains.length];
    // One streamed dataset in three has a retention: S3 allows 1,000 lifecycle rules per bucket and a
    // retention takes two, so one zone holds at most 500 datasets with a retention (400 within the budget).
    return number % 4 === 3 ? icebergLike(name, domain) : eventsLike(name, domain, number % 4 === 0);
  });
}

function eventsLike(name: string, domain: string, retention: boolean): DatasetDefinition {
  return {
    name,
    zone: 'raw',
    owner: 'generated',
    domain,
    description: `Generated dataset ${name}, shaped like events`,
    columns: [
      { name: 'event', type: 'string', description: 'Event name', classification: 'internal' },
      { name: 'user_id', type: 'string', description: 'User', classification: 'pii' },
      { name: 'event_time', type: 'timestamp', description: 'When it happened, UTC', classification: 'internal' },
      { name: 'properties', type: 'map<string,string>', description: 'Other properties', classification: 'confidential' },
    ],
    format: 'parquet',
    partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'event_time' }, maxLatenessDays: 7, maxFutureSkewHours: 1 } },
    retentionDays: retention ? { raw: 400 } : undefined,
    freshnessSloMinutes: 5,
    ingestion: 'stream',
    dataSubject: { keys: ['user_id'] },
    quality: {
      completeness: { event: 0.999, user_id: 0.99, event_time: 0.999 },
      formats: { event: '^[a-z][a-z0-9_]*$' },
      rowCount: { min: 1 },
    },
  };
}

function icebergLike(name: string, domain: string): DatasetDefinition {
  return {
    name,
    zone: 'analytics',
    owner: 'generated',
    domain,
    description: `Generated dataset ${name}, shaped like the metrics tables`,
    columns: [
      { name: 'activity_date', type: 'date', description: 'Day, UTC', classification: 'internal' },
      { name: 'active_users', type: 'bigint', description: 'Users active that day', classification: 'internal' },
      { name: 'ratio', type: 'double', description: 'A rate', classification: 'internal' },
    ],
    format: 'iceberg',
    partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'activity_date' } } },
    freshnessSloMinutes: 26 * 60,
    ingestion: 'batch',
    quality: { uniqueKey: ['activity_date'], completeness: { activity_date: 1 } },
  };
}
