import { describe, expect, it } from 'vitest';
import { DatasetValidationError, validateDatasets, type DatasetDefinition } from '../../constructs/datasets';
import { events } from '../../config/datasets/events';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { tenantUsage } from './fixtures';

const CONTEXT = { zones: ['raw', 'curated', 'analytics'], domains: ['product_analytics', 'knowledge', 'billing'] };
type Mutable = { -readonly [K in keyof DatasetDefinition]: any };
const copy = (dataset: DatasetDefinition): Mutable => JSON.parse(JSON.stringify(dataset));

interface BadDataset {
  readonly title: string;
  readonly base?: DatasetDefinition;
  readonly breakIt: (dataset: Mutable) => void;
  /** Must appear in the error: the dataset, the field, the problem and the fix. */
  readonly expected: string;
}

const cases: BadDataset[] = [
  {
    title: 'a hyphen in the name',
    breakIt: (d) => (d.name = 'page-views'),
    expected: 'dataset "page-views", name: "page-views" contains a hyphen, which Athena DDL would need backticks for. Fix: use underscores: "page_views"',
  },
  {
    title: 'a reserved word as dataset name',
    breakIt: (d) => (d.name = 'table'),
    expected: 'dataset "table", name: "table" is an Athena reserved word. Fix: rename it, e.g. "table_value"',
  },
  {
    title: 'a reserved word as column name',
    breakIt: (d) => (d.columns[2].name = 'timestamp'),
    expected: 'dataset "events", columns[2].name: "timestamp" is an Athena reserved word',
  },
  {
    title: 'a name that is not snake_case',
    breakIt: (d) => (d.name = 'PageViews'),
    expected: 'name: "PageViews" is not snake_case. Fix: use lowercase letters, digits and underscores, starting with a letter: "pageviews"',
  },
  {
    title: 'a name too long for stream names',
    breakIt: (d) => (d.name = 'a'.repeat(33)),
    expected: 'is 33 characters long. Fix: shorten it to at most 32',
  },
  {
    title: 'duplicate columns',
    breakIt: (d) => (d.columns[1].name = 'event'),
    expected: 'columns[1].name: "event" is declared twice. Fix: keep one declaration per column',
  },
  {
    title: 'an unknown type',
    breakIt: (d) => (d.columns[0].type = 'text'),
    expected: 'columns[0].type: unknown type "text"',
  },
  {
    title: 'a malformed nested type',
    breakIt: (d) => (d.columns[3].type = 'struct<page_url:string,referrer>'),
    expected: 'columns[3].type: expected ":" at position',
  },
  {
    title: 'a struct field that is not snake_case',
    breakIt: (d) => (d.columns[3].type = 'struct<pageUrl:string>'),
    expected: 'columns[3].type: struct field "pageUrl" is not snake_case',
  },
  {
    title: 'a decimal with impossible scale',
    breakIt: (d) => (d.columns[0].type = 'decimal(4,6)'),
    expected: 'decimal scale (6) cannot exceed precision (4)',
  },
  {
    title: 'an unknown classification',
    breakIt: (d) => (d.columns[1].classification = 'secret'),
    expected: 'columns[1].classification: "secret" is not a classification. Fix: use one of public, internal, confidential, pii',
  },
  {
    title: 'an empty column description',
    breakIt: (d) => (d.columns[0].description = ' '),
    expected: 'columns[0].description: is empty. Fix: say what the column holds',
  },
  {
    title: 'a partition key that is also a column',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'event', sourceField: 'event', values: ['a'] }]),
    expected: 'partitioning.keys[0].name: partition key "event" is also a column',
  },
  {
    title: 'a column named like a time partition key',
    breakIt: (d) => (d.columns[0].name = 'dt'),
    expected: 'partitioning.time: time partition key "dt" is also a column',
  },
  {
    title: 'an enum key without values',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: [] }]),
    expected: 'partitioning.keys[0].values: an enum key has no values. Fix: list the values the key may take',
  },
  {
    title: 'an enum value unsafe in an S3 path',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: ['web/app'] }]),
    expected: 'partitioning.keys[0].values: "web/app" is not safe in an S3 path or a projection list',
  },
  {
    title: 'a catch-all that is also a real value',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: ['web', 'unknown'] }]),
    expected: 'partitioning.keys[0].otherValue: catch-all "unknown" is also a listed value',
  },
  {
    title: 'an event-time column that does not exist',
    breakIt: (d) => (d.partitioning.time.source.column = 'occurred_at'),
    expected: 'partitioning.time.source.column: "occurred_at" is not a column',
  },
  {
    title: 'an event-time column that is not a timestamp',
    breakIt: (d) => (d.partitioning.time.source.column = 'properties'),
    expected: 'partitioning.time.source.column: "properties" is not a timestamp column',
  },
  {
    title: 'lateness beyond the retention that bounds the projection',
    breakIt: (d) => (d.partitioning.time.maxLatenessDays = 500),
    expected: 'partitioning.time.maxLatenessDays: 500 must be a whole number below the 400-day projection range',
  },
  {
    title: 'future skew beyond the projection look-ahead',
    breakIt: (d) => (d.partitioning.time.maxFutureSkewHours = 48),
    expected: 'partitioning.time.maxFutureSkewHours: 48 is outside 0-24',
  },
  {
    title: 'a freshness SLO tighter than Firehose can deliver',
    breakIt: (d) => (d.freshnessSloMinutes = 1),
    expected: 'freshnessSloMinutes: 1 min is tighter than Firehose can deliver with dynamic partitioning (buffer ≥ 60 s, up to 1.5× that end to end). Fix: use at least 1.5 minutes',
  },
  {
    title: 'Iceberg combined with partition projection',
    base: dailyActiveUsers,
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'injected', name: 'tenant', sourceField: 'tenant' }]),
    expected: 'dataset "daily_active_users", partitioning.keys: Iceberg tables cannot use partition projection (enum/injected keys)',
  },
  {
    title: 'an Iceberg table fed by a stream',
    base: dailyActiveUsers,
    breakIt: (d) => (d.ingestion = 'stream'),
    expected: 'ingestion: Firehose writes Parquet objects under a prefix, not Iceberg commits',
  },
  {
    title: 'an unknown storage format',
    breakIt: (d) => (d.format = 'csv'),
    expected: 'format: "csv" is not a storage format. Fix: use parquet or iceberg',
  },
  {
    title: 'a zone the environment does not have',
    breakIt: (d) => (d.zone = 'gold'),
    expected: 'zone: "gold" is not a zone of this environment. Fix: use one of raw, curated, analytics',
  },
  {
    title: 'a retention of zero days',
    breakIt: (d) => (d.retentionDays = { raw: 0 }),
    expected: 'retentionDays.raw: 0 is not a whole number of days ≥ 1',
  },
  {
    title: 'an unconfigured domain',
    breakIt: (d) => (d.domain = 'marketing'),
    expected: 'domain: "marketing" is not a configured domain',
  },
  {
    title: 'a quality rule on a column that does not exist',
    breakIt: (d) => (d.quality = { completeness: { email: 0.99 } }),
    expected: 'quality.completeness.email: "email" is not a column',
  },
  {
    title: 'a completeness above 100 %',
    breakIt: (d) => (d.quality = { completeness: { event: 99 } }),
    expected: 'quality.completeness.event: 99 is not a share between 0 and 1. Fix: use e.g. 0.99 for 99 %',
  },
  {
    title: 'an injected key read from a nested path',
    base: tenantUsage,
    breakIt: (d) => (d.partitioning.keys[0].sourceField = 'tenant.id'),
    expected: 'partitioning.keys[0].sourceField: "tenant.id" is not a top-level JSON field name',
  },
];

describe('invalid dataset declarations fail before anything is built, naming dataset, field and fix', () => {
  it('covers at least 15 distinct bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('$title', ({ base, breakIt, expected }) => {
    const dataset = copy(base ?? events);
    breakIt(dataset);
    let error: unknown;
    try {
      validateDatasets([dataset as DatasetDefinition], CONTEXT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect((error as Error).message).toContain('Invalid dataset declaration');
    expect((error as Error).message).toContain(expected);
  });

  it('the unbroken bases are valid, so each failure above comes from its one change', () => {
    expect(() => validateDatasets([events, dailyActiveUsers, tenantUsage], CONTEXT)).not.toThrow();
  });

  it('refuses two datasets with one name', () => {
    expect(() => validateDatasets([events, events], CONTEXT)).toThrow('dataset "events", name: is declared twice');
  });

  it('reports every problem of a dataset at once', () => {
    const dataset = copy(events);
    dataset.name = 'bad-name';
    dataset.columns[0].type = 'text';
    dataset.freshnessSloMinutes = 0;
    expect(() => validateDatasets([dataset as DatasetDefinition], CONTEXT)).toThrow(/hyphen[\s\S]*unknown type "text"[\s\S]*freshnessSloMinutes/);
  });
});
