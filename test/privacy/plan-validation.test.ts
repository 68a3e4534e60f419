/**
 * What the erasure plan refuses, through the one validation report (source, field, value, what is
 * allowed), and what it leaves out and why.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS, DATASET_SOURCES } from '../../config/datasets';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { ValidationReport } from '../../constructs/common/validation-report';
import type { DatasetDefinition } from '../../constructs/datasets';
import { erasureExclusions, erasurePlan, erasureTarget, type ErasurePlanContext, type IcebergErasureTarget } from '../../constructs/privacy/plan';

const CONTEXT: ErasurePlanContext = {
  databases: { raw: 'lake_raw', curated: 'lake_curated', analytics: 'lake_analytics' },
  buckets: { raw: 'raw-bucket', curated: '${Token[TOKEN.42]}', analytics: 'analytics-bucket' },
  privacyDatabase: 'lake_privacy',
};

/** The problems of a refused plan, as `field: allowed`, each with its source and value. */
function refusal(run: () => unknown): ValidationReport {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationReport) return error;
    throw error;
  }
  throw new Error('expected a ValidationReport, nothing was thrown');
}

const withEvents = (change: Partial<DatasetDefinition>): DatasetDefinition => ({ ...events, ...change });

describe('erasure plan of the shipped datasets', () => {
  it('plans every dataset with data-subject keys, in order, and carries token bucket names as they are', () => {
    const plan = erasurePlan(DATASETS, CONTEXT);
    expect(plan.map((target) => [target.dataset, target.kind, target.retentionDays])).toEqual([
      ['events', 'parquet', 400],
      ['events_curated', 'iceberg', undefined],
      ['client_errors', 'parquet', 90],
      ['collector_quarantine', 'parquet', 30],
    ]);
    expect(plan[1].bucket).toBe('${Token[TOKEN.42]}');
    expect(plan[1].findSql('b-1')).not.toContain('Token');
  });

  it('searches a Parquet dataset without a retention in its own zone whole', () => {
    for (const retentionDays of [undefined, { curated: 30 }]) {
      const [target] = erasurePlan([withEvents({ retentionDays })], CONTEXT);
      expect(target.retentionDays).toBeUndefined();
      expect(target.findSql('b-1')).not.toMatch(/INTERVAL|"dt" >=/);
    }
    expect(erasurePlan([withEvents({ retentionDays: { raw: 7 } })], CONTEXT)[0].findSql('b-1')).toContain(`"dt" >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')`);
    // Month partitions: the projection lists ceil(400 / 28) = 15 months back, so the search does too.
    const monthly = withEvents({ partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'event_time' } } } });
    expect(erasurePlan([monthly], CONTEXT)[0].findSql('b-1')).toContain(`"month" >= date_format(current_date - INTERVAL '15' MONTH, '%Y-%m')`);
  });

  it('says why every other dataset is left alone', () => {
    const excluded = erasureExclusions(DATASETS);
    expect(excluded.map((entry) => entry.dataset)).toEqual(DATASETS.filter((d) => !(d.dataSubject && 'keys' in d.dataSubject)).map((d) => d.name));
    expect(excluded.every((entry) => entry.none.length > 10)).toBe(true);
    expect(erasureExclusions([withEvents({ dataSubject: { none: 'aggregates only' } })])).toEqual([{ dataset: 'events', none: 'aggregates only' }]);
    expect(erasureExclusions([withEvents({ dataSubject: undefined })])).toEqual([{ dataset: 'events', none: 'not searched: pii columns (user_id) without a dataSubject decision' }]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a retention that is not a number of days', { retentionDays: "400' DAY) OR (1=1" }, 'retentionDays'],
    ['a key column that is not a name', { keyColumns: ['user_id"; --'] }, 'keyColumns'],
    ['no key columns', { keyColumns: [] }, 'keyColumns'],
    ['an integer key that is not a key', { integerKeyColumns: ['account_id'] }, 'integerKeyColumns'],
    ['a table name with a quote', { table: 'events"' }, 'table'],
    ['another kind', { kind: 'delta' }, 'kind'],
    ['Iceberg partitioning on a Parquet entry', { partitioning: { kind: 'iceberg' } }, 'partitioning.kind'],
    ['a date key format of its own', { partitioning: { kind: 'projection', keys: ['dt'], dateKey: { name: 'dt', format: "%Y') OR ('", lookBack: { amount: 400, unit: 'DAY' } } } }, 'partitioning.dateKey'],
    ['a look-back that is not a whole number', { partitioning: { kind: 'projection', keys: ['dt'], dateKey: { name: 'dt', format: '%Y-%m-%d', lookBack: { amount: '400', unit: 'DAY' } } } }, 'partitioning.dateKey'],
    ['a subjects table elsewhere', { subjects: { database: 'lake privacy', table: 'erasure_subjects' } }, 'subjects'],
  ])('refuses a spec read back with %s', (_, change, field) => {
    const [target] = erasurePlan([events], CONTEXT);
    const report = refusal(() => erasureTarget({ ...JSON.parse(JSON.stringify(target.spec)), ...change }));
    expect(report.problems.map((problem) => problem.field)).toEqual([field]);
    expect(report.problems[0].source).toBe('erasure plan for dataset "events"');
  });

  it('refuses an Iceberg spec with an unknown transform or column type', () => {
    const [, target] = erasurePlan([events, eventsCurated], CONTEXT);
    const spec = JSON.parse(JSON.stringify(target.spec));
    const report = refusal(() => erasureTarget({ ...spec, partitioning: { ...spec.partitioning, transform: 'week', columnType: 'string' } }));
    expect(report.problems.map((problem) => problem.field)).toEqual(['partitioning.transform', 'partitioning.columnType']);
  });

  it('a spec read back from JSON renders the same statements', () => {
    const [target] = erasurePlan([eventsCurated], CONTEXT) as IcebergErasureTarget[];
    const again = erasureTarget(JSON.parse(JSON.stringify(target.spec))) as IcebergErasureTarget;
    expect(again.findSql('b-1')).toBe(target.findSql('b-1'));
    expect(again.deleteSql('b-1')).toBe(target.deleteSql('b-1'));
    expect(again.optimizeSql([{ event_date_day: '2026-01-01' }])).toBe(target.optimizeSql([{ event_date_day: '2026-01-01' }]));
  });
});

describe('erasure plan refusals', () => {
  it.each<[string, Partial<DatasetDefinition>, string, RegExp]>([
    ['a key that is not a column', { dataSubject: { keys: ['email'] } }, 'dataSubject.keys[0]', /a key is a column/],
    ['a key of a map type', { dataSubject: { keys: ['properties'] } }, 'dataSubject.keys[0]', /scalar of type string, varchar, char, int, bigint/],
    ['a key of a timestamp type', { dataSubject: { keys: ['event_time'] } }, 'dataSubject.keys[0]', /scalar/],
    ['a key named twice', { dataSubject: { keys: ['user_id', 'user_id'] } }, 'dataSubject.keys[1]', /once/],
    ['no keys', { dataSubject: { keys: [] } }, 'dataSubject.keys', /at least one column/],
    ['pii without a decision', { dataSubject: undefined }, 'dataSubject', /pii columns \(user_id\)/],
    ['an unknown zone', { zone: 'landing' }, 'zone', /no Glue database for this zone/],
    ['an injected partition key', { partitioning: { ...events.partitioning, keys: [{ kind: 'injected', name: 'tenant', sourceField: 'tenant' }] } }, 'partitioning.keys', /injected partition key \(tenant\)/],
    ['an unknown format', { format: 'orc' as never }, 'format', /iceberg and parquet/],
  ])('refuses %s', (_, change, field, allowed) => {
    const report = refusal(() => erasurePlan([withEvents(change)], CONTEXT));
    const problem = report.problems.find((candidate) => candidate.field === field);
    expect(problem, report.message).toBeDefined();
    expect(problem?.source).toBe('dataset "events"');
    expect(problem?.allowed).toMatch(allowed);
  });

  it('names the file a shipped dataset is declared in', () => {
    const broken = { ...events, dataSubject: { keys: ['nope'] } };
    const report = refusal(() => erasurePlan([broken], { ...CONTEXT, sources: new Map([[broken, 'config/datasets/events.ts']]) }));
    expect(report.message).toContain('Invalid configuration in config/datasets/events.ts');
    expect(report.message).toContain('dataSubject.keys[0]: got "nope"');
    expect(DATASET_SOURCES.get(events)).toBe('config/datasets/events.ts');
  });

  it.each<[string, Partial<DatasetDefinition>, string]>([
    ['partitioned by arrival time', { partitioning: { time: { granularity: 'day', source: { kind: 'ingestion-time' } } } }, 'partitioning.time.source'],
    ['hour(date column)', { partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'event_date' } } } }, 'partitioning.time.source.column'],
    ['with an enum key', { partitioning: { ...eventsCurated.partitioning, keys: [{ kind: 'enum', name: 'region', sourceField: 'r', values: ['eu'] }] } }, 'partitioning.keys'],
  ])('refuses an Iceberg dataset %s', (_, change, field) => {
    const report = refusal(() => erasurePlan([{ ...eventsCurated, ...change }], CONTEXT));
    expect(report.problems.map((problem) => problem.field)).toContain(field);
  });

  it('refuses two datasets of one name, and bad names in the context', () => {
    const report = refusal(() => erasurePlan([events, events], { ...CONTEXT, privacyDatabase: 'Privacy-DB', subjectsTable: 'x;y', databases: { ...CONTEXT.databases, raw: 'raw db' } }));
    expect(report.problems.map((problem) => `${problem.source} ${problem.field}`)).toEqual([
      'erasure plan context privacyDatabase',
      'erasure plan context subjectsTable',
      'erasure plan context databases.raw',
      'dataset "events" name',
    ]);
    expect(report.problems[0].value).toBe('"Privacy-DB"');
  });

  it('refuses a zone without a bucket', () => {
    const report = refusal(() => erasurePlan([events], { ...CONTEXT, buckets: {} }));
    expect(report.problems[0]).toMatchObject({ field: 'zone', value: '"raw"' });
    expect(report.problems[0].allowed).toMatch(/no bucket for this zone/);
  });
});

describe('batch ids and partitions given at run time', () => {
  const [parquet, iceberg] = erasurePlan([events, eventsCurated], CONTEXT) as [ReturnType<typeof erasurePlan>[number], IcebergErasureTarget];

  it.each(['', "b'1", 'b 1', 'b;DROP', 'x'.repeat(81), 'b\n1'])('refuses the batch id %j in every statement', (batchId) => {
    for (const render of [parquet.findSql, parquet.verifySql, iceberg.findSql, iceberg.deleteSql]) {
      const report = refusal(() => render(batchId));
      expect(report.problems[0].field).toBe('batchId');
      expect(report.problems[0].allowed).toMatch(/1-80 letters, digits/);
    }
  });

  it('accepts 80 characters of letters, digits, "_" and "-"', () => {
    const batchId = `${'a'.repeat(40)}${'Z9_-'.repeat(10)}`;
    expect(iceberg.deleteSql(batchId)).toContain(`"batch_id" = '${batchId}'`);
  });

  it('has nothing to optimize when nothing was found', () => {
    expect(iceberg.optimizeSql([])).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['another field', { dt: '2026-01-01' }, 'partitions[0].dt'],
    ['an impossible day', { event_date_day: '2026-02-30' }, 'partitions[0].event_date_day'],
    ['an hour value for a day transform', { event_date_day: '2026-02-01-05' }, 'partitions[0].event_date_day'],
    ['a number', { event_date_day: 20260201 }, 'partitions[0].event_date_day'],
    ['not an object', 'event_date_day=2026-02-01', 'partitions[0]'],
    ['null', { event_date_day: null }, 'partitions[0].event_date_day'],
  ])('refuses a partition with %s', (_, partition, field) => {
    const report = refusal(() => iceberg.optimizeSql([partition as never]));
    expect(report.problems.map((problem) => problem.field)).toContain(field);
    expect(report.problems[0].source).toBe('erasure plan for dataset "events_curated"');
  });

  it('renders ranges of a timestamp source column for hour and month transforms', () => {
    const hourly = erasurePlan([{ ...eventsCurated, name: 'hourly', partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'event_time' } } } }], CONTEXT)[0] as IcebergErasureTarget;
    expect(hourly.optimizeSql([{ event_time_hour: '2026-01-31-23' }, { event_time_hour: '2026-02-01-00' }, { event_time_hour: '2026-02-01-05' }])).toBe(
      'OPTIMIZE "lake_curated"."hourly" REWRITE DATA USING BIN_PACK\n' +
        `WHERE ("event_time" >= TIMESTAMP '2026-01-31 23:00:00' AND "event_time" < TIMESTAMP '2026-02-01 01:00:00') OR ("event_time" >= TIMESTAMP '2026-02-01 05:00:00' AND "event_time" < TIMESTAMP '2026-02-01 06:00:00')`,
    );
    const monthly = erasurePlan([{ ...eventsCurated, name: 'monthly', partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'event_date' } } } }], CONTEXT)[0] as IcebergErasureTarget;
    expect(monthly.optimizeSql([{ event_date_month: '2025-12' }])).toContain(`("event_date" >= DATE '2025-12-01' AND "event_date" < DATE '2026-01-01')`);
  });
});
