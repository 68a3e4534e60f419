/**
 * The pipeline's data-quality gates executed on DuckDB: the readiness probe over events laid out as
 * Firehose writes them (known newest values, a day that is ready and one whose delivery stalled), and the
 * day checks of every Iceberg analytics table after the ELT wrote a day (all pass), with crafted bad rows
 * that fail exactly the rule they break.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsDatasets, dailyActiveUsers, funnelConversion, retentionCohorts } from '../../config/datasets/analytics';
import { events as eventsDataset } from '../../config/datasets/events';
import type { CheckResult } from '../../constructs/data-quality/sql';
import { addDays } from '../../lib/local-lake/days';
import { buildPlayground, dayReadiness, LOCAL_DATABASES, runDayQualityChecks, runEltDay, type Playground } from '../../lib/local-lake/playground';
import { writeParquetRecords } from '../../lib/local-lake/writer';

let playground: Playground;
const FIRST_DAY = '2026-03-01';
const DAYS = 12;
/** A month of the fixture the ELT never writes. */
const EMPTY_MONTH_DAY = '2026-05-10';

beforeAll(async () => {
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'day-run-')), { firstDay: FIRST_DAY, days: DAYS });
});
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

const failed = (results: readonly CheckResult[]) => results.filter((result) => result.status !== 'passed').map((result) => [result.id, result.status, result.value]);
const newestOf = (from: string, to: string) => {
  const times = playground.fixture.events.map((event) => event.event_time).filter((time) => time.slice(0, 10) >= from && time.slice(0, 10) <= to);
  return new Date(Math.max(...times.map((time) => Date.parse(time)))).toISOString();
};

describe('readiness of the events input', () => {
  it('a day followed by delivered next-day events is ready once the SLO has passed; the newest value is the next day\'s', async () => {
    const day = addDays(playground.fixture.lastDay, -2);
    const next = addDays(day, 1);
    const readiness = await dayReadiness(playground.lake, eventsDataset, day, new Date(`${next}T00:05:00Z`));
    expect(readiness).toEqual({
      dataset: 'events',
      ready: true,
      newest: newestOf(day, next),
      newestAtLeast: `${day}T23:55:00.000Z`,
      notBefore: `${next}T00:05:00.000Z`,
    });
    expect(readiness.newest?.slice(0, 10)).toBe(next);
  });

  it('is not ready before the end of the day plus the SLO, whatever has arrived', async () => {
    const day = addDays(playground.fixture.lastDay, -2);
    const readiness = await dayReadiness(playground.lake, eventsDataset, day, new Date(`${addDays(day, 1)}T00:04:59Z`));
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toMatch(/delivery buffers until/);
  });

  it('the last day, whose newest event is hours before midnight (delivery stalled), is not ready', async () => {
    const day = playground.fixture.lastDay;
    const readiness = await dayReadiness(playground.lake, eventsDataset, day, new Date(`${addDays(day, 2)}T00:00:00Z`));
    expect(readiness.newest).toBe(newestOf(day, day));
    expect(Date.parse(readiness.newest as string)).toBeLessThan(Date.parse(`${day}T23:55:00Z`));
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toMatch(/has not reached the end of the day/);
  });

  it('a day with nothing delivered is not ready, with no newest value', async () => {
    const readiness = await dayReadiness(playground.lake, eventsDataset, '2025-06-01', new Date('2026-01-01T00:00:00Z'));
    expect(readiness).toMatchObject({ ready: false, newest: null, reason: 'no records of the day (or the day after) have arrived' });
  });

  it('a late record of the day itself counts: one event at 23:58 makes the last day ready', async () => {
    const day = playground.fixture.lastDay;
    const late = { ...playground.fixture.events[playground.fixture.events.length - 1], event: 'page_view', event_time: `${day}T23:58:00.000Z` };
    await writeParquetRecords(playground.lake, eventsDataset, [late]);
    await playground.lake.attachParquet(eventsDataset);
    const readiness = await dayReadiness(playground.lake, eventsDataset, day, new Date(`${addDays(day, 1)}T01:00:00Z`));
    expect(readiness).toMatchObject({ ready: true, newest: `${day}T23:58:00.000Z` });
  });
});

describe('day checks of the Iceberg analytics tables', () => {
  const day = addDays(FIRST_DAY, 6);
  beforeAll(async () => {
    for (let offset = 0; offset <= 6; offset += 1) await runEltDay(playground.lake, addDays(FIRST_DAY, offset));
  });

  it.each(analyticsDatasets.map((dataset) => [dataset.name, dataset] as const))('%s: every check passes on the ELT output of the day', async (_name, dataset) => {
    const run = await runDayQualityChecks(playground.lake, dataset, day, new Date(`${addDays(day, 1)}T02:00:00Z`));
    expect(failed(run.results)).toEqual([]);
    expect(run.results.length).toBeGreaterThan(2);
    // Month-partitioned: the window is the day's month and the one before, on the date column (Iceberg prunes it).
    expect(run.query).toContain(`BETWEEN DATE '2026-02-01' AND DATE '2026-03-31'`);
  });

  it('months the ELT never wrote fail the row count and freshness of daily_active_users', async () => {
    const run = await runDayQualityChecks(playground.lake, dailyActiveUsers, EMPTY_MONTH_DAY, new Date(`${addDays(EMPTY_MONTH_DAY, 1)}T02:00:00Z`));
    expect(failed(run.results)).toEqual([
      ['row_count.min', 'failed', 0],
      ['completeness.activity_date', 'not_evaluated', null],
      ['uniqueness.activity_date', 'not_evaluated', null],
      ['range.active_users', 'not_evaluated', null],
      ['freshness.activity_date', 'failed', null],
    ]);
  });

  it('crafted rows fail exactly the rules they break: a retention rate above 1, an unknown funnel step, a duplicate key', async () => {
    const analytics = LOCAL_DATABASES.analytics;
    await playground.lake.native(`INSERT INTO "${analytics}".retention_cohorts VALUES (DATE '${day}', 40, 3, 4, 1.3333333333333333)`);
    await playground.lake.native(`INSERT INTO "${analytics}".funnel_conversion VALUES (DATE '${day}', 'signup_to_first_purchase', 9, 'checkout', 1, 0.5)`);
    await playground.lake.native(`INSERT INTO "${analytics}".daily_active_users VALUES (DATE '${day}', 7)`);
    const now = new Date(`${addDays(day, 1)}T02:00:00Z`);
    expect(failed((await runDayQualityChecks(playground.lake, retentionCohorts, day, now)).results)).toEqual([['range.retention_rate', 'failed', 1]]);
    expect(failed((await runDayQualityChecks(playground.lake, funnelConversion, day, now)).results)).toEqual([['accepted_values.step_name', 'failed', 1]]);
    const dau = (await runDayQualityChecks(playground.lake, dailyActiveUsers, day, now)).results;
    expect(failed(dau)).toEqual([['uniqueness.activity_date', 'failed', 1 / 8]]);
  });
});
