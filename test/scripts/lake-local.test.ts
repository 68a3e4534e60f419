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
