/**
 * The shipped named queries, executed on DuckDB over the seeded local lake, against answers computed in
 * TypeScript from the same records (lib/local-lake/expected.ts). The mutation table shows the fixture is
 * sharp enough: each small change to a query's meaning changes its result, so the result test would fail.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedQueries } from '../../constructs/catalog/queries';
import * as expected from '../../lib/local-lake/expected';
import type { EventRecord } from '../../lib/local-lake/fixture';
import { LOCAL_DATABASES, buildPlayground, runNamedQueries, type Playground } from '../../lib/local-lake/playground';
import type { Row } from '../../lib/local-lake/engine';

const ANSWERS: Record<string, (events: readonly EventRecord[], today: string) => expected.ExpectedRow[]> = {
  'daily-active-users': expected.dailyActiveUsers,
  'monthly-active-users': expected.monthlyActiveUsers,
  'dau-mau-stickiness': expected.dauMauStickiness,
  'retention-7-day': expected.retention7Day,
  'funnel-conversion': expected.funnelConversion,
  'feature-adoption': expected.featureAdoption,
};

/** [query, what the mutation breaks, text to replace, replacement]. */
const MUTATIONS: Array<[string, string, string, string]> = [
  ['daily-active-users', 'counts events instead of users', 'count(DISTINCT user_id)', 'count(*)'],
  ['daily-active-users', 'drops the oldest day of the window', "current_date - interval '30' day", "current_date - interval '29' day"],
  ['monthly-active-users', 'counts events instead of users', 'count(DISTINCT user_id)', 'count(user_id)'],
  ['monthly-active-users', 'counts rows instead of days covered', 'count(DISTINCT dt)', 'count(dt)'],
  ['dau-mau-stickiness', 'a 29-day instead of a 30-day rolling window', "interval '29' day", "interval '28' day"],
  ['retention-7-day', 'day 6 instead of day 7', "a.activity_date = s.cohort_date + interval '7' day", "a.activity_date = s.cohort_date + interval '6' day"],
  ['retention-7-day', 'the acquisition source of the last sign-up instead of the first', 'min_by(traits.source, event_time)', 'max_by(traits.source, event_time)'],
  ['retention-7-day', 'counts the sign-up day as week 1', "BETWEEN s.cohort_date + interval '1' day", "BETWEEN s.cohort_date + interval '0' day"],
  ['funnel-conversion', 'ignores the step order', 'AND e.event_time >= s1.step_1_time', "AND e.event_time >= s1.step_1_time - interval '1' day"],
  ['funnel-conversion', 'a 30-day purchase window', "AND e.event_time <= s2.step_1_time + interval '7' day", "AND e.event_time <= s2.step_1_time + interval '30' day"],
  ['feature-adoption', 'counts uses instead of users', "count(DISTINCT user_id) AS users", 'count(user_id) AS users'],
  ['feature-adoption', 'keeps the empty feature name', "AND f.feature <> ''", ''],
  ['feature-adoption', 'drops the dedicated feature events', "'report_exported', 'dashboard_shared', 'invite_sent'", "'report_exported'"],
];

let playground: Playground;
let results: Map<string, Row[]>;

beforeAll(async () => {
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'named-queries-')));
  results = await runNamedQueries(playground.lake);
});
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

const answer = (name: string) => ANSWERS[name](playground.fixture.events, playground.fixture.today);

describe('named queries return the known answers', () => {
  it('every shipped query has a known answer', () => {
    expect(namedQueries(LOCAL_DATABASES.raw).map((query) => query.name).sort()).toEqual(Object.keys(ANSWERS).sort());
  });

  it.each(Object.keys(ANSWERS))('%s', (name) => {
    const rows = results.get(name);
    expect(rows).toEqual(answer(name));
    // A non-trivial answer: several rows, or for the funnel three steps with people at each.
    expect((rows ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('the fixture tells users from events, and the funnel loses people at every step', () => {
    const dau = results.get('daily-active-users') as Row[];
    const funnel = (results.get('funnel-conversion') as Row[]).map((row) => row.users as number);
    expect(dau.some((row) => (row.active_users as number) > 1)).toBe(true);
    expect(funnel[0]).toBeGreaterThan(funnel[1]);
    expect(funnel[1]).toBeGreaterThan(funnel[2]);
    expect(funnel[2]).toBeGreaterThan(0);
  });
});

describe('a mutated query gives a different answer (the tests above would fail)', () => {
  it.each(MUTATIONS)('%s: %s', async (name, _what, from, to) => {
    const query = namedQueries(LOCAL_DATABASES.raw).find((candidate) => candidate.name === name);
    expect(query?.sql).toContain(from);
    const mutated = (query?.sql ?? '').replace(from, to);
    expect(await playground.lake.query(mutated)).not.toEqual(answer(name));
  });
});
