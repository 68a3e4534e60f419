/**
 * `npm run lake:local`, run in-process: its printed results contain the known answers of the seeded
 * fixture (computed in TypeScript, not by the SQL), it keeps a lake only when asked, and it refuses
 * bad arguments and a folder it would overwrite.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRange } from '../../lib/local-lake/days';
import * as expected from '../../lib/local-lake/expected';
import { generateFixture } from '../../lib/local-lake/fixture';
import { main, parseLakeLocalArgs } from '../../scripts/lake-local';

const fixture = generateFixture({ seed: 5, days: 20, users: 20 });
let output: string[];
let dir: string;
let code: number;

beforeAll(async () => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lake-local-test-')), 'lake');
  output = [];
  code = await main(['--dir', dir, '--seed', '5', '--days', '20', '--users', '20', '--rows', '100'], (line) => output.push(line));
});
afterAll(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

/** An output line holding these cells in order, separated by column padding. */
const line = (...cells: Array<string | number>) => new RegExp(`^\\s+${cells.map((cell) => String(cell).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+')}\\s*$`);

describe('lake:local', () => {
  it('exits 0 and says where the lake is and what day it pins', () => {
    expect(code).toBe(0);
    expect(output[0]).toBe(`Local lake in ${dir}`);
    expect(output).toContain(`  current_date is pinned to ${fixture.today}`);
    expect(output[1]).toMatch(new RegExp(`^ {2}${fixture.events.length} events from ${fixture.firstDay} to ${fixture.lastDay} in \\d+ Parquet objects under raw/events/dt=${fixture.firstDay}/hour=\\d\\d/…$`));
  });

  it('prints the known daily and monthly active users', () => {
    const dau = expected.dailyActiveUsers(fixture.events, fixture.today);
    expect(dau.length).toBeGreaterThan(5);
    for (const row of dau) expect(output.some((text) => line(row.activity_date as string, row.active_users as number).test(text)), `DAU ${row.activity_date}`).toBe(true);
    for (const row of expected.monthlyActiveUsers(fixture.events, fixture.today)) {
      expect(output.some((text) => line(row.activity_month as string, row.active_users as number, row.days_covered as number).test(text))).toBe(true);
    }
  });

  it('prints the known funnel', () => {
    for (const row of expected.funnelConversion(fixture.events, fixture.today)) {
      expect(output.some((text) => new RegExp(`^\\s+${row.step_number}\\s+${row.step_name}\\s+${row.users}\\s`).test(text)), String(row.step_name)).toBe(true);
    }
  });

  it('prints the ELT targets and the quality results, recorded in the history table', () => {
    const elt = expected.eltDailyActiveUsers(fixture.events, dayRange(fixture.firstDay, fixture.lastDay));
    expect(output).toContain(`  daily_active_users: ${elt.length} row(s)`);
    expect(output.some((text) => /^\s+passed\s+format\.event\s+0 /.test(text))).toBe(true);
    expect(output.some((text) => /^ {2}\d+ result\(s\) recorded in data_quality_results, \d+ passed$/.test(text))).toBe(true);
  });

  it('prints events_curated, built by the ELT before the metrics: one row per event of the clean sample', () => {
    const curated = output.indexOf(output.find((text) => text.startsWith('Curated events')) as string);
    expect(curated).toBeGreaterThan(0);
    expect(output[curated + 1]).toBe(`  events_curated: ${fixture.events.length} row(s) from ${fixture.events.length} raw row(s); 0 copies removed, 0 surrogate id(s)`);
    expect(output.findIndex((text) => text.startsWith('Metrics ELT from events_curated'))).toBeGreaterThan(curated);
  });

  it('with --noise, the copies written into raw are removed and the metrics are the same', async () => {
    const noisy: string[] = [];
    expect(await main(['--seed', '5', '--days', '20', '--users', '20', '--rows', '100', '--noise'], (text) => noisy.push(text))).toBe(0);
    const summary = noisy.find((text) => text.startsWith('  events_curated: ')) as string;
    const match = /^ {2}events_curated: (\d+) row\(s\) from (\d+) raw row\(s\); (\d+) copies removed, 0 surrogate id\(s\)$/.exec(summary);
    expect(match?.slice(1).map(Number)).toEqual([fixture.events.length, expect.any(Number), expect.any(Number)]);
    expect(Number(match?.[3])).toBeGreaterThan(0);
    const metrics = (lines: string[]) => lines.slice(lines.findIndex((text) => text.startsWith('Metrics ELT')), lines.findIndex((text) => text === 'Data-quality checks'));
    expect(metrics(noisy)).toEqual(metrics(output));
    expect(parseLakeLocalArgs(['--noise']).noise).toBe(true);
    expect(parseLakeLocalArgs([]).noise).toBe(false);
  });

  it('keeps the lake in --dir, laid out by partition', () => {
    expect(fs.readdirSync(path.join(dir, 'raw', 'events')).sort()[0]).toBe(`dt=${fixture.firstDay}`);
  });

  it('refuses a --dir that is not empty, and bad numbers', async () => {
    await expect(main(['--dir', dir], () => undefined)).rejects.toThrow(/not empty/);
    expect(() => parseLakeLocalArgs(['--days', '0'])).toThrow(/--days must be a whole number from 1 to 366/);
    expect(() => parseLakeLocalArgs(['--seed', 'x'])).toThrow(/--seed/);
    expect(() => parseLakeLocalArgs(['--nope'])).toThrow();
  });
});
