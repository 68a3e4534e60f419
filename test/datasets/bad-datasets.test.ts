import { describe, expect, it } from 'vitest';
import { DatasetValidationError, validateDatasets, type DatasetDefinition } from '../../constructs/datasets';
import { events } from '../../config/datasets/events';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { tenantUsage } from './fixtures';

const CONTEXT = { zones: ['raw', 'curated', 'analytics'], domains: ['product_analytics', 'knowledge', 'billing'] };
type Mutable = { -readonly [K in keyof DatasetDefinition]: any } & Record<string, any>;
const copy = (dataset: DatasetDefinition): Mutable => JSON.parse(JSON.stringify(dataset));

interface BadDataset {
  readonly title: string;
  readonly base?: DatasetDefinition;
  readonly breakIt: (dataset: Mutable) => void;
  /** The exact line the error must contain: the field, the value found, the problem and the fix. */
  readonly line: string;
}

const cases: BadDataset[] = [
  {
    title: 'pii columns and no data-subject decision',
    breakIt: (d) => delete d.dataSubject,
    line: "- dataSubject: got (missing); is missing, and the dataset has pii columns (user_id): an erasure request could not find its rows. Fix: name the columns that identify the person, dataSubject: { keys: ['user_id'] }, or say why none does, dataSubject: { none: '<why>' }",
  },
  {
    title: 'a data-subject key that is not a column',
    breakIt: (d) => (d.dataSubject = { keys: ['userid'] }),
    line: '- dataSubject.keys[0]: got "userid"; "userid" is not a column. Fix: use one of event, user_id, event_time, context, traits, properties, event_id',
  },
  {
    title: 'a data-subject key of a type = cannot match',
    breakIt: (d) => (d.dataSubject = { keys: ['context'] }),
    line: '- dataSubject.keys[0]: got "context"; "context" is of type struct<page_url:string,referrer:string>; an erasure matches ids with =. Fix: use a column of type string, int, bigint, varchar, char',
  },
  {
    title: 'a data-subject key named twice',
    breakIt: (d) => (d.dataSubject = { keys: ['user_id', 'user_id'] }),
    line: '- dataSubject.keys[1]: got "user_id"; "user_id" is named twice. Fix: name each column once',
  },
  {
    title: 'no data-subject keys',
    breakIt: (d) => (d.dataSubject = { keys: [] }),
    line: "- dataSubject.keys: got []; is empty. Fix: name at least one column, or use { none: '<why>' }",
  },
  {
    title: 'a data-subject decision of none without a reason',
    breakIt: (d) => (d.dataSubject = { none: ' ' }),
    line: '- dataSubject.none: got " "; is empty. Fix: say why no column identifies a person (it is shown in the data dictionary)',
  },
  {
    title: 'a data-subject decision of neither shape',
    breakIt: (d) => (d.dataSubject = { key: 'user_id' }),
    line: '- dataSubject: got {"key":"user_id"}; must be { keys: ["<column>", ...] } (the columns that identify the person) or { none: "<why no column does>" }',
  },
  {
    title: 'a hyphen in the name',
    breakIt: (d) => (d.name = 'page-views'),
    line: '- name: got "page-views"; "page-views" contains a hyphen, which Athena DDL would need backticks for. Fix: use underscores: "page_views"',
  },
  {
    title: 'a reserved word as dataset name',
    breakIt: (d) => (d.name = 'table'),
    line: '- name: got "table"; "table" is an Athena reserved word. Fix: rename it, e.g. "table_value"',
  },
  {
    title: 'a reserved word as column name',
    breakIt: (d) => (d.columns[2].name = 'timestamp'),
    line: '- columns[2].name: got "timestamp"; "timestamp" is an Athena reserved word. Fix: rename it, e.g. "timestamp_value"',
  },
  {
    title: 'a name that is not snake_case',
    breakIt: (d) => (d.name = 'PageViews'),
    line: '- name: got "PageViews"; "PageViews" is not snake_case. Fix: use lowercase letters, digits and underscores, starting with a letter: "pageviews"',
  },
  {
    title: 'a name too long for stream names',
    breakIt: (d) => (d.name = 'a'.repeat(33)),
    line: '- name: got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is 33 characters long. Fix: shorten it to at most 32',
  },
  {
    title: 'duplicate columns',
    breakIt: (d) => (d.columns[1].name = 'event'),
    line: '- columns[1].name: got "event"; "event" is declared twice. Fix: keep one declaration per column',
  },
  {
    title: 'an unknown type',
    breakIt: (d) => (d.columns[0].type = 'text'),
    line: '- columns[0].type: got "text"; unknown type "text"; known: string, boolean, tinyint, smallint, int, bigint, float, double, date, timestamp, binary, decimal(p,s), varchar(n), char(n), array<T>, map<K,V>, struct<name:T,...> at position 4 of "text". Fix: use a Glue/Athena type such as string, bigint, decimal(12,2), timestamp, array<string>, map<string,string> or struct<a:string>',
  },
  {
    title: 'a malformed nested type',
    breakIt: (d) => (d.columns[3].type = 'struct<page_url:string,referrer>'),
    line: '- columns[3].type: got "struct<page_url:string,referrer>"; expected ":" at position 31 of "struct<page_url:string,referrer>". Fix: use a Glue/Athena type such as string, bigint, decimal(12,2), timestamp, array<string>, map<string,string> or struct<a:string>',
  },
  {
    title: 'a struct field that is not snake_case',
    breakIt: (d) => (d.columns[3].type = 'struct<pageUrl:string>'),
    line: '- columns[3].type: got "struct<pageUrl:string>"; struct field "pageUrl" is not snake_case. Fix: Glue lowercases field names; use lowercase snake_case',
  },
  {
    title: 'a decimal with impossible scale',
    breakIt: (d) => (d.columns[0].type = 'decimal(4,6)'),
    line: '- columns[0].type: got "decimal(4,6)"; decimal scale (6) cannot exceed precision (4) at position 12 of "decimal(4,6)". Fix: use a Glue/Athena type such as string, bigint, decimal(12,2), timestamp, array<string>, map<string,string> or struct<a:string>',
  },
  {
    title: 'an unknown classification',
    breakIt: (d) => (d.columns[1].classification = 'secret'),
    line: '- columns[1].classification: got "secret"; "secret" is not a classification. Fix: use one of public, internal, confidential, pii',
  },
  {
    title: 'an empty column description',
    breakIt: (d) => (d.columns[0].description = ' '),
    line: '- columns[0].description: got " "; is empty. Fix: say what the column holds; it becomes the Glue column comment and the data dictionary entry',
  },
  {
    title: 'a partition key that is also a column',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'event', sourceField: 'event', values: ['a'] }]),
    line: '- partitioning.keys[0].name: got "event"; partition key "event" is also a column. Fix: drop the column or rename the key: the value lives in the object path, not in the file',
  },
  {
    title: 'a column named like a time partition key',
    breakIt: (d) => (d.columns[0].name = 'dt'),
    line: '- partitioning.time: got {"granularity":"hour","source":{"kind":"event-time","column":"event_time"},"maxLatenessDays":7,"maxFutureSkewHours":1}; time partition key "dt" is also a column. Fix: rename the column (partition keys and columns share one namespace in Athena)',
  },
  {
    title: 'an enum key without values',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: [] }]),
    line: '- partitioning.keys[0].values: got []; an enum key has no values. Fix: list the values the key may take (others map to the catch-all value)',
  },
  {
    title: 'an enum value unsafe in an S3 path',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: ['web/app'] }]),
    line: '- partitioning.keys[0].values: got ["web/app"]; "web/app" is not safe in an S3 path or a projection list. Fix: use letters, digits, "_", "." or "-"',
  },
  {
    title: 'a catch-all that is also a real value',
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'enum', name: 'platform', sourceField: 'platform', values: ['web', 'unknown'] }]),
    line: '- partitioning.keys[0].otherValue: got (missing); catch-all "unknown" is also a listed value. Fix: choose a catch-all that no real value uses',
  },
  {
    title: 'an event-time column that does not exist',
    breakIt: (d) => (d.partitioning.time.source.column = 'occurred_at'),
    line: '- partitioning.time.source.column: got "occurred_at"; "occurred_at" is not a column. Fix: name the timestamp column the event time comes from',
  },
  {
    title: 'an event-time column that is not a timestamp',
    breakIt: (d) => (d.partitioning.time.source.column = 'properties'),
    line: '- partitioning.time.source.column: got "properties"; "properties" is not a timestamp column. Fix: use a timestamp (or ISO-8601 string) column',
  },
  {
    title: 'lateness beyond the retention that bounds the projection',
    breakIt: (d) => (d.partitioning.time.maxLatenessDays = 500),
    line: '- partitioning.time.maxLatenessDays: got 500; 500 must be a whole number below the 400-day projection range (the dataset\'s retention in raw). Fix: accept less lateness, or keep the data longer',
  },
  {
    title: 'future skew beyond the projection look-ahead',
    breakIt: (d) => (d.partitioning.time.maxFutureSkewHours = 48),
    line: '- partitioning.time.maxFutureSkewHours: got 48; 48 is outside 0-24 (the projection looks one day ahead). Fix: use 0-24 hours',
  },
  {
    title: 'a freshness SLO tighter than Firehose can deliver',
    breakIt: (d) => (d.freshnessSloMinutes = 1),
    line: '- freshnessSloMinutes: got 1; 1 min is tighter than Firehose can deliver with dynamic partitioning (buffer ≥ 60 s, up to 1.5× that end to end). Fix: use at least 1.5 minutes',
  },
  {
    title: 'Iceberg combined with partition projection',
    base: dailyActiveUsers,
    breakIt: (d) => (d.partitioning.keys = [{ kind: 'injected', name: 'tenant', sourceField: 'tenant' }]),
    line: '- partitioning.keys: got [{"kind":"injected","name":"tenant","sourceField":"tenant"}]; Iceberg tables cannot use partition projection (enum/injected keys). Fix: drop the keys (Iceberg partitions with transforms), or store the dataset as parquet',
  },
  {
    title: 'an Iceberg table fed by a stream',
    base: dailyActiveUsers,
    breakIt: (d) => (d.ingestion = 'stream'),
    line: '- ingestion: got "stream"; Firehose writes Parquet objects under a prefix, not Iceberg commits. Fix: use batch (ELT) for Iceberg tables, or parquet for streamed data',
  },
  {
    title: 'an unknown storage format',
    breakIt: (d) => (d.format = 'csv'),
    line: '- format: got "csv"; "csv" is not a storage format. Fix: use parquet or iceberg',
  },
  {
    title: 'a zone the environment does not have',
    breakIt: (d) => (d.zone = 'gold'),
    line: '- zone: got "gold"; "gold" is not a zone of this environment. Fix: use one of raw, curated, analytics',
  },
  {
    title: 'a retention of zero days',
    breakIt: (d) => (d.retentionDays = { raw: 0 }),
    line: '- retentionDays.raw: got 0; 0 is not a whole number of days ≥ 1. Fix: keep data at least one day, or omit the zone to keep it',
  },
  {
    title: 'an unconfigured domain',
    breakIt: (d) => (d.domain = 'marketing'),
    line: '- domain: got "marketing"; "marketing" is not a configured domain. Fix: use one of product_analytics, knowledge, billing, or add it to the domain list',
  },
  {
    title: 'a quality rule on a column that does not exist',
    breakIt: (d) => (d.quality = { completeness: { email: 0.99 } }),
    line: '- quality.completeness.email: got 0.99; "email" is not a column. Fix: use one of event, user_id, event_time, context, traits, properties, event_id',
  },
  {
    title: 'a completeness above 100 %',
    breakIt: (d) => (d.quality = { completeness: { event: 99 } }),
    line: '- quality.completeness.event: got 99; 99 is not a share between 0 and 1. Fix: use e.g. 0.99 for 99 %',
  },
  {
    title: 'an injected key read from a nested path',
    base: tenantUsage,
    breakIt: (d) => (d.partitioning.keys[0].sourceField = 'tenant.id'),
    line: '- partitioning.keys[0].sourceField: got "tenant.id"; "tenant.id" is not a top-level JSON field name. Fix: name the field of the incoming record the value comes from',
  },
  {
    title: 'a misspelt optional field (data would be kept forever)',
    breakIt: (d) => {
      d.retentionDay = d.retentionDays;
      delete d.retentionDays;
    },
    line: '- retentionDay: got {"raw":400}; is not a field here; did you mean "retentionDays"? (known: name, zone, owner, domain, description, columns, format, partitioning, retentionDays, freshnessSloMinutes, ingestion, quality, dataSubject, iceberg, shard)',
  },
  {
    title: 'an unknown key in a nested object',
    breakIt: (d) => (d.partitioning.time.maxLatenessDay = 3),
    line: '- partitioning.time.maxLatenessDay: got 3; is not a field here; did you mean "maxLatenessDays"? (known: granularity, source, maxLatenessDays, maxFutureSkewHours)',
  },
  {
    title: 'a missing nested object',
    breakIt: (d) => delete d.partitioning.time,
    line: '- partitioning.time: got (missing); is required',
  },
  {
    title: 'a missing partitioning',
    breakIt: (d) => delete d.partitioning,
    line: '- partitioning: got (missing); is required',
  },
  {
    title: 'columns that are not a list',
    breakIt: (d) => (d.columns = { event: 'string' }),
    line: '- columns: got {"event":"string"}; must be an array, not an object',
  },
  {
    title: 'a number written as a string',
    breakIt: (d) => (d.freshnessSloMinutes = '5'),
    line: '- freshnessSloMinutes: got "5"; must be a number, not a string',
  },
  {
    title: 'a retention written as a string',
    breakIt: (d) => (d.retentionDays = { raw: '400' }),
    line: '- retentionDays.raw: got "400"; must be a number, not a string',
  },
  {
    title: 'an unknown time source kind',
    breakIt: (d) => (d.partitioning.time.source = { kind: 'arrival-time' }),
    line: '- partitioning.time.source.kind: got "arrival-time"; must be one of "ingestion-time", "event-time"',
  },
  {
    title: 'a quality rule object that is a list',
    breakIt: (d) => (d.quality.rowCount = [1, 100]),
    line: '- quality.rowCount: got [1,100]; must be an object with min, max, not an array',
  },
  {
    title: 'a shard that is not a shard name',
    breakIt: (d) => (d.shard = 'Shard One'),
    line: '- shard: got "Shard One"; must be "base" or a shard name of 1-40 lowercase letters, digits and single hyphens, starting with a letter (for example "product-analytics-03")',
  },
  {
    title: 'a column description too long for a Glue comment',
    breakIt: (d) => (d.columns[0].description = 'x'.repeat(250)),
    line: '- columns[0].description: got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."; is 250 characters long; with " [internal]" the Glue column comment would be 261, above Glue\'s 255. Fix: shorten it to at most 244 characters',
  },
  {
    title: 'a table description too long for Glue',
    breakIt: (d) => (d.description = 'x'.repeat(2049)),
    line: '- description: got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."; is 2049 characters long; Glue keeps table descriptions of at most 2048. Fix: shorten it',
  },
  {
    title: 'Iceberg upkeep on a Parquet dataset',
    breakIt: (d) => (d.iceberg = { snapshotRetentionDays: 5 }),
    line: '- iceberg: got {"snapshotRetentionDays":5}; is set on a parquet dataset. Fix: drop it: only Iceberg tables have snapshots to expire and files to compact (Parquet data expires with retentionDays)',
  },
  {
    title: 'a compaction strategy Athena-created tables cannot use',
    base: dailyActiveUsers,
    breakIt: (d) => (d.iceberg = { compaction: 'z-order' }),
    line: '- iceberg.compaction: got "z-order"; "z-order" is not a compaction setting. Fix: use binpack or off (sort and z-order need a table sort order, which Athena DDL cannot set)',
  },
  {
    title: 'a fractional snapshot retention',
    base: dailyActiveUsers,
    breakIt: (d) => (d.iceberg = { snapshotRetentionDays: 2.5 }),
    line: '- iceberg.snapshotRetentionDays: got 2.5; 2.5 is not a whole number of days ≥ 1. Fix: use a whole number of days, at least 1',
  },
  {
    title: 'no snapshot kept',
    base: dailyActiveUsers,
    breakIt: (d) => (d.iceberg = { minSnapshotsToKeep: 0 }),
    line: '- iceberg.minSnapshotsToKeep: got 0; 0 is not a whole number of snapshots ≥ 1. Fix: use a whole number of snapshots, at least 1',
  },
  {
    title: 'orphan files removed at once (in-flight writes look orphaned)',
    base: dailyActiveUsers,
    breakIt: (d) => (d.iceberg = { orphanFileRetentionDays: 0 }),
    line: '- iceberg.orphanFileRetentionDays: got 0; 0 is not a whole number of days ≥ 1. Fix: use a whole number of days, at least 1',
  },
  {
    title: 'snapshots kept longer than the data',
    base: dailyActiveUsers,
    breakIt: (d) => {
      d.retentionDays = { analytics: 30 };
      d.iceberg = { snapshotRetentionDays: 45 };
    },
    line: "- iceberg.snapshotRetentionDays: got 45; 45 days is longer than the dataset's 30-day retention in analytics; expired rows would stay readable through old snapshots. Fix: use at most 30 days",
  },
  {
    title: 'a misspelt upkeep field',
    base: dailyActiveUsers,
    breakIt: (d) => (d.iceberg = { snapshotRetentionDay: 5 }),
    line: '- iceberg.snapshotRetentionDay: got 5; is not a field here; did you mean "snapshotRetentionDays"? (known: compaction, snapshotRetentionDays, minSnapshotsToKeep, orphanFileRetentionDays)',
  },
];

describe('invalid dataset declarations fail before anything is built, naming dataset, field and fix', () => {
  it('covers at least 15 distinct bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('$title', ({ base, breakIt, line }) => {
    const dataset = copy(base ?? events);
    breakIt(dataset);
    let error: unknown;
    try {
      validateDatasets([dataset as DatasetDefinition], CONTEXT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatasetValidationError);
    expect((error as Error).message).toContain(`Invalid configuration in dataset "${String(dataset.name)}" (nothing was synthesized):`);
    expect((error as Error).message.split('\n')).toContain(`  ${line}`);
  });

  it('the unbroken bases are valid, so each failure above comes from its one change', () => {
    expect(() => validateDatasets([events, dailyActiveUsers, tenantUsage], CONTEXT)).not.toThrow();
  });

  it('accepts a shard pin by name, and refuses a number (shards are named, lib/placement.ts)', () => {
    expect(() => validateDatasets([{ ...copy(events), shard: 3 } as unknown as DatasetDefinition], CONTEXT)).toThrow('- shard: got 3; must be "base" or a shard name');
    for (const shard of ['eu-1', 'base', 'product-analytics-03']) expect(() => validateDatasets([{ ...copy(events), shard } as DatasetDefinition], CONTEXT)).not.toThrow();
  });

  it('names the file a declaration comes from when the caller knows it', () => {
    const dataset = copy(events);
    dataset.format = 'csv';
    expect(() => validateDatasets([dataset as DatasetDefinition], { ...CONTEXT, sources: new Map([[dataset, 'config/datasets/events.ts']]) })).toThrow(
      'Invalid configuration in config/datasets/events.ts, dataset "events" (nothing was synthesized):\n  - format: got "csv"; "csv" is not a storage format. Fix: use parquet or iceberg',
    );
  });

  it('reports a declaration that is not an object by its position', () => {
    expect(() => validateDatasets([events, null as unknown as DatasetDefinition], CONTEXT)).toThrow(
      'Invalid configuration in dataset "datasets[1]" (nothing was synthesized):\n  - (root): got null; must be an object with name, zone, owner',
    );
  });

  it('refuses a domain Lake Formation would not take as an LF-tag value when no domains are configured', () => {
    expect(() => validateDatasets([{ ...copy(events), domain: 'sales<eu>' } as DatasetDefinition])).toThrow(
      '  - domain: got "sales<eu>"; "sales<eu>" is not a Lake Formation tag value. Fix: use 1-256 letters, digits, spaces or _ . : * / = + - @ %',
    );
  });

  it('refuses two datasets with one name', () => {
    expect(() => validateDatasets([events, events], CONTEXT)).toThrow('- name: got "events"; "events" is declared twice. Fix: give each dataset its own name');
  });

  it('reports every problem of a dataset at once', () => {
    const dataset = copy(events);
    dataset.name = 'bad-name';
    dataset.columns[0].type = 'text';
    dataset.freshnessSloMinutes = 0;
    expect(() => validateDatasets([dataset as DatasetDefinition], CONTEXT)).toThrow(/hyphen[\s\S]*unknown type "text"[\s\S]*freshnessSloMinutes/);
  });
});

describe('the data-subject decision', () => {
  it('accepts keys, or none with a reason even when a column is pii, and needs nothing without pii columns', () => {
    const withNone = { ...events, name: 'events_none', dataSubject: { none: 'test traffic only: user_id holds synthetic ids' } };
    expect(() => validateDatasets([events, withNone, dailyActiveUsers], CONTEXT)).not.toThrow();
    expect(dailyActiveUsers.dataSubject).toBeUndefined();
    expect(dailyActiveUsers.columns.some((column) => column.classification === 'pii')).toBe(false);
  });
});
