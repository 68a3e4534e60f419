/**
 * The metrics ELT executed on DuckDB: the curated step, then every target's DELETE + INSERT per day, over
 * a seeded lake that crosses a month boundary, against answers computed in TypeScript from the clean
 * events. Raw also holds retries, dirty and less complete copies (curated-cases.ts): the metrics read
 * events_curated, so the same answers are the proof that curation removes exactly the noise. Idempotency
 * and order independence are executed, not argued: every day run twice, days in shuffled order, a day
 * re-run after late data.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsDatasets, dailyActiveUsers } from '../../config/datasets/analytics';
import { events as eventsDataset } from '../../config/datasets/events';
import { ELT_TARGETS, eltSteps, renderStatement, type EltTarget } from '../../constructs/elt/steps';
import { noisyCopies } from '../../lib/local-lake/curated-cases';
import { seededRandom } from '../../producer/sample-events';
import { addDays, dayRange } from '../../lib/local-lake/days';
import type { Row } from '../../lib/local-lake/engine';
import * as expected from '../../lib/local-lake/expected';
import type { EventRecord } from '../../lib/local-lake/fixture';
import { LOCAL_ELT_SETTINGS, buildPlayground, eltTable, runCuratedDay, runEltDay, runMetricsDay, type Playground } from '../../lib/local-lake/playground';
import { writeParquetRecords } from '../../lib/local-lake/writer';

const ANSWERS: Record<EltTarget, (events: readonly EventRecord[], days: readonly string[]) => expected.ExpectedRow[]> = {
  daily_active_users: expected.eltDailyActiveUsers,
  monthly_active_users: expected.eltMonthlyActiveUsers,
  retention_cohorts: expected.eltRetentionCohorts,
  feature_adoption: expected.eltFeatureAdoption,
  funnel_conversion: expected.eltFunnelConversion,
};

let playground: Playground;
let days: string[];
/** Records written after the fixture (the late-data test), part of every later answer. */
const lateEvents: EventRecord[] = [];

async function tables(): Promise<Record<EltTarget, Row[]>> {
  const entries = await Promise.all(ELT_TARGETS.map(async (target) => [target, await eltTable(playground.lake, target)] as const));
  return Object.fromEntries(entries) as Record<EltTarget, Row[]>;
}

async function emptyTargets(): Promise<void> {
  for (const dataset of analyticsDatasets) await playground.lake.createTable(dataset);
}

async function runDays(order: readonly string[]): Promise<void> {
  for (const day of order) await runEltDay(playground.lake, day);
}

beforeAll(async () => {
  // 16 days across the January/February boundary: monthly_active_users gets two months.
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'elt-')), { firstDay: '2026-01-24', days: 16, extraRaw: (fixture) => noisyCopies(fixture.events) });
  days = dayRange(playground.fixture.firstDay, playground.fixture.lastDay);
});
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

describe('metrics ELT on a real engine', () => {
  let inOrder: Record<EltTarget, Row[]>;

  beforeAll(async () => {
    await runDays(days);
    inOrder = await tables();
  });

  it.each(ELT_TARGETS)('%s holds the known answer after every day ran once, in order', (target) => {
    expect(inOrder[target]).toEqual(ANSWERS[target](playground.fixture.events, days));
    expect(inOrder[target].length).toBeGreaterThanOrEqual(2);
  });

  it('running every day a second time (DELETE + INSERT again) changes no row', async () => {
    await runDays(days);
    expect(await tables()).toEqual(inOrder);
  });

  it('raw holds noise that curation removes: the same daily_active_users read from raw is wrong', async () => {
    const [raw] = await playground.lake.query(`SELECT count(*) AS n FROM ${playground.lake.database(eventsDataset)}.events`);
    expect(raw.n).toBeGreaterThan(playground.fixture.events.length);
    const [remove, insert] = eltSteps().find((step) => step.target === 'daily_active_users')?.statements ?? [];
    const fromRaw = insert.replace('{{curated_database}}.events_curated', '{{raw_database}}.events').replace("event_date = DATE '{{day}}'", "dt = '{{day}}'");
    expect(fromRaw).not.toBe(insert);
    for (const day of days) {
      for (const statement of [remove, fromRaw]) await playground.lake.query(renderStatement(statement, { day, ...LOCAL_ELT_SETTINGS }));
    }
    expect(await eltTable(playground.lake, 'daily_active_users')).not.toEqual(inOrder.daily_active_users);
  });

  it('with every day curated, metrics days in shuffled order give the same tables as days in order', async () => {
    // Retention reads 31 days of sign-ups from events_curated: a backfill curates its range first (the
    // state machine's runs in ascending order do), then any order of metrics days gives the same rows.
    const random = seededRandom(7);
    const shuffled = [...days];
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    expect(shuffled).not.toEqual(days);
    await emptyTargets();
    for (const day of days) await runCuratedDay(playground.lake, day);
    for (const day of shuffled) await runMetricsDay(playground.lake, day);
    expect(await tables()).toEqual(inOrder);
  });

  it('re-running a day after late data arrived replaces exactly that day', async () => {
    const day = days[5];
    const late = ['late-1', 'late-2'].map((user) => ({
      event: 'page_view',
      user_id: user,
      event_time: `${day}T23:30:00.000Z`,
      context: { page_url: null, referrer: null },
      traits: { plan: null, source: null },
      properties: {},
    }));
    lateEvents.push(...late);
    await writeParquetRecords(playground.lake, eventsDataset, late);
    await runEltDay(playground.lake, day, ['daily_active_users']);
    const dau = await eltTable(playground.lake, 'daily_active_users');
    const before = inOrder.daily_active_users;
    expect(dau).toEqual(expected.eltDailyActiveUsers([...playground.fixture.events, ...late], days));
    expect(dau.filter((row) => row.activity_date !== day)).toEqual(before.filter((row) => row.activity_date !== day));
    expect(dau.find((row) => row.activity_date === day)?.active_users).toBe((before.find((row) => row.activity_date === day)?.active_users as number) + 2);
  });

  it('without its DELETE, running a day twice would duplicate the row (the idempotency test can fail)', async () => {
    const [, insert] = eltSteps().find((step) => step.target === 'daily_active_users')?.statements ?? [];
    const render = () => renderStatement(insert, { day: days[0], ...LOCAL_ELT_SETTINGS });
    await playground.lake.createTable(dailyActiveUsers);
    await playground.lake.query(render());
    await playground.lake.query(render());
    expect(await eltTable(playground.lake, 'daily_active_users')).toHaveLength(2);
  });

  it('a day without events writes no daily row and no funnel rows (missing data is not zero users)', async () => {
    const empty = addDays(playground.fixture.lastDay, 1);
    await runEltDay(playground.lake, empty, ['daily_active_users', 'funnel_conversion']);
    expect((await eltTable(playground.lake, 'daily_active_users')).some((row) => row.activity_date === empty)).toBe(false);
    expect((await eltTable(playground.lake, 'funnel_conversion')).some((row) => row.activity_date === empty)).toBe(false);
  });
});

/** [target, what the mutation breaks, text to replace, replacement, run the days shuffled]. */
const MUTATIONS: Array<[EltTarget, string, string, string, boolean]> = [
  ['daily_active_users', 'counts events instead of users', 'count(DISTINCT user_id) AS active_users', 'count(user_id) AS active_users', false],
  ['monthly_active_users', 'month to date instead of the whole month: the row then depends on the order days run in', "last_day_of_month(DATE '{{day}}')", "DATE '{{day}}'", true],
  ['retention_cohorts', 'counts cohort rows instead of retained users', 'count(a.user_id) AS retained_users', 'count(*) AS retained_users', false],
  ['feature_adoption', 'keeps the empty feature name', "AND f.feature <> ''", '', false],
  ['funnel_conversion', 'ignores the step order', 'AND e.event_time >= s1.step_1_time', '', false],
];

describe('a mutated ELT statement gives a different table (the tests above would fail)', () => {
  async function runTarget(target: EltTarget, statements: readonly string[], order: readonly string[]): Promise<Row[]> {
    await playground.lake.createTable(analyticsDatasets.find((dataset) => dataset.name === target) as (typeof analyticsDatasets)[number]);
    for (const day of order) {
      for (const statement of statements) {
        await playground.lake.query(renderStatement(statement, { day, ...LOCAL_ELT_SETTINGS }));
      }
    }
    return eltTable(playground.lake, target);
  }

  it.each(MUTATIONS)('%s: %s', async (target, _what, from, to, shuffled) => {
    const original = eltSteps().find((candidate) => candidate.target === target)?.statements ?? [];
    expect(original.some((statement) => statement.includes(from))).toBe(true);
    const order = shuffled ? [...days].reverse() : days;
    // The same run with the shipped statements gives the answer, so only the mutation makes the difference.
    const answer = ANSWERS[target]([...playground.fixture.events, ...lateEvents], days);
    expect(await runTarget(target, original, order)).toEqual(answer);
    expect(await runTarget(target, original.map((statement) => statement.replace(from, to)), order)).not.toEqual(answer);
  });
});
