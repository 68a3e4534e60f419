/**
 * The data-quality checks compiled from dataset contracts, executed on DuckDB over Parquet laid out as
 * Firehose writes it: every check kind passes on clean data and fails on crafted bad data, with exact
 * values; the time filter keeps rows outside the window out; an empty window fails the row count; the
 * events contract's checks match values computed in TypeScript; results land in the history table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { events as eventsDataset } from '../../config/datasets/events';
import type { CheckResult } from '../../constructs/data-quality/sql';
import type { DatasetDefinition } from '../../constructs/datasets';
import { addDays } from '../../lib/local-lake/days';
import { LOCAL_DATABASES, buildPlayground, recordQualityRun, runEltDay, runQualityChecks, type Playground } from '../../lib/local-lake/playground';
import { writeParquetRecords } from '../../lib/local-lake/writer';

/** A contract with every check kind (the shipped contracts use only some of them). */
const orders: DatasetDefinition = {
  name: 'orders',
  zone: 'raw',
  owner: 'test',
  domain: 'test',
  description: 'Orders, for the quality checks.',
  columns: [
    { name: 'order_id', type: 'string', description: 'id', classification: 'internal' },
    { name: 'status', type: 'string', description: 'status', classification: 'internal' },
    { name: 'amount', type: 'decimal(10,2)', description: 'amount', classification: 'internal' },
    { name: 'email', type: 'string', description: 'email', classification: 'pii' },
    { name: 'ordered_at', type: 'timestamp', description: 'time', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'ordered_at' } } },
  freshnessSloMinutes: 60,
  ingestion: 'stream',
  quality: {
    completeness: { order_id: 1, email: 0.75 },
    uniqueKey: ['order_id'],
    acceptedValues: { status: ['placed', 'shipped'] },
    ranges: { amount: { min: 0, max: 1000 } },
    formats: { email: '^[^@]+@[^@]+$' },
    rowCount: { min: 2, max: 10 },
  },
};

const order = (order_id: string | null, status: string, amount: number, email: string | null, ordered_at: string) => ({ order_id, status, amount, email, ordered_at });

const CLEAN_DAY = '2026-02-10';
const BAD_DAY = '2026-02-20';
const CLEAN = [
  order('o1', 'placed', 10, 'a@example.com', `${CLEAN_DAY}T08:00:00.000Z`),
  order('o2', 'shipped', 1000, 'b@example.com', `${CLEAN_DAY}T09:00:00.000Z`),
  order('o3', 'placed', 0, null, `${addDays(CLEAN_DAY, -1)}T23:00:00.000Z`),
  order('o4', 'shipped', 99.99, 'd@example.com', `${CLEAN_DAY}T11:30:00.000Z`),
  // Outside the window (three days earlier): bad in every way, and never read.
  order('o1', 'lost', -1, 'nope', `${addDays(CLEAN_DAY, -3)}T12:00:00.000Z`),
];
const BAD = [
  ...['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9'].map((id, index) => order(id, 'placed', 10, index < 6 ? `${id}@example.com` : null, `${BAD_DAY}T0${index % 9}:00:00.000Z`)),
  order('b1', 'lost', -5, 'nope', `${BAD_DAY}T01:30:00.000Z`), // duplicate key, unknown status, below range, bad format
  order(null, 'shipped', 2000, null, `${BAD_DAY}T02:30:00.000Z`), // no key, above range
];

let playground: Playground;

beforeAll(async () => {
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'quality-')), { firstDay: '2026-02-01', days: 10 });
  await writeParquetRecords(playground.lake, orders, [...CLEAN, ...BAD]);
  await playground.lake.attachParquet(orders);
});
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

const summary = (results: readonly CheckResult[]) => Object.fromEntries(results.map((result) => [result.id, [result.status, result.value]]));

describe('every check kind on crafted data', () => {
  it('passes on clean data, with the exact values, ignoring rows outside the window', async () => {
    const run = await runQualityChecks(playground.lake, orders, new Date(`${CLEAN_DAY}T12:00:00Z`));
    expect(summary(run.results)).toEqual({
      'row_count.min': ['passed', 4],
      'row_count.max': ['passed', 4],
      'completeness.order_id': ['passed', 1],
      'completeness.email': ['passed', 0.75],
      'uniqueness.order_id': ['passed', 0],
      'accepted_values.status': ['passed', 0],
      'range.amount': ['passed', 0],
      'format.email': ['passed', 0],
      'freshness.ordered_at': ['passed', 1800],
    });
  });

  it('fails on bad data, each check with the exact value', async () => {
    const run = await runQualityChecks(playground.lake, orders, new Date(`${BAD_DAY}T12:00:00Z`));
    expect(summary(run.results)).toEqual({
      'row_count.min': ['passed', 11],
      'row_count.max': ['failed', 11],
      'completeness.order_id': ['failed', 10 / 11],
      'completeness.email': ['failed', 7 / 11],
      'uniqueness.order_id': ['failed', 1 / 11],
      'accepted_values.status': ['failed', 1],
      'range.amount': ['failed', 2],
      'format.email': ['failed', 1],
      'freshness.ordered_at': ['failed', 4 * 3600], // newest 08:00, checked at 12:00
    });
  });

  it('an empty window fails the row count, leaves value checks unevaluated and freshness failed', async () => {
    const run = await runQualityChecks(playground.lake, orders, new Date('2026-03-15T12:00:00Z'));
    expect(summary(run.results)).toMatchObject({
      'row_count.min': ['failed', 0],
      'completeness.order_id': ['not_evaluated', null],
      'range.amount': ['not_evaluated', null],
      'freshness.ordered_at': ['failed', null],
    });
  });
});

describe('the shipped contracts', () => {
  it("events: the contract's checks match values computed from the records", async () => {
    const { events, lastDay } = playground.fixture;
    const window = events.filter((event) => event.event_time.slice(0, 10) >= addDays(lastDay, -1));
    const newest = Math.max(...window.map((event) => Date.parse(event.event_time)));
    const now = new Date(newest + 120_000);
    const run = await runQualityChecks(playground.lake, eventsDataset, now);
    expect(summary(run.results)).toEqual({
      'row_count.min': ['passed', window.length],
      'completeness.event': ['passed', 1],
      'completeness.user_id': [window.every((event) => event.user_id !== null) ? 'passed' : 'failed', window.filter((event) => event.user_id !== null).length / window.length],
      'completeness.event_time': ['passed', 1],
      'format.event': ['passed', 0],
      'freshness.event_time': ['passed', 120],
    });
  });

  it('an Iceberg target (daily_active_users): its key and freshness are checked on the ELT output, and a duplicate fails', async () => {
    const { lastDay, today } = playground.fixture;
    for (const day of [addDays(lastDay, -1), lastDay]) await runEltDay(playground.lake, day, ['daily_active_users']);
    const now = new Date(`${today}T01:00:00Z`);
    expect(summary((await runQualityChecks(playground.lake, dailyActiveUsers, now)).results)).toEqual({
      'row_count.min': ['passed', 2],
      'completeness.activity_date': ['passed', 1],
      'uniqueness.activity_date': ['passed', 0],
      'range.active_users': ['passed', 0],
      'freshness.activity_date': ['passed', 3600], // a date is complete at the end of its day
    });
    await playground.lake.native(`INSERT INTO "${LOCAL_DATABASES.analytics}".daily_active_users VALUES (DATE '${lastDay}', 1)`);
    expect(summary((await runQualityChecks(playground.lake, dailyActiveUsers, now)).results)['uniqueness.activity_date']).toEqual(['failed', 1 / 3]);
  });

  it('results are appended to data_quality_results through the history INSERT', async () => {
    const checkedAt = new Date(`${BAD_DAY}T12:00:00Z`);
    const run = await runQualityChecks(playground.lake, orders, checkedAt);
    await recordQualityRun(playground.lake, run, checkedAt, 'run-1');
    const rows = await playground.lake.native(
      `SELECT check_id, passed, value, check_date FROM "${LOCAL_DATABASES.analytics}".data_quality_results WHERE run_id = 'run-1' ORDER BY check_id`,
    );
    expect(rows).toHaveLength(9);
    expect(rows.find((row) => row.check_id === 'range.amount')).toEqual({ check_id: 'range.amount', passed: false, value: 2, check_date: BAD_DAY });
    expect(rows.filter((row) => row.passed).map((row) => row.check_id)).toEqual(['row_count.min']);
  });
});
