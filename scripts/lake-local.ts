/**
 * The local playground: builds a small lake of seeded sample events laid out exactly as Firehose writes
 * them (the events contract's prefixes, Parquet with the Glue schema's types), then runs the product's
 * named queries, the ELT for every day (raw → events_curated, then the metrics) and the data-quality
 * checks on an embedded DuckDB, through
 * the documented Athena-to-DuckDB dialect (docs/local-lake.md), and prints the results. No AWS.
 *
 * Usage: npm run lake:local -- [--dir <empty folder>] [--seed 13] [--days 62] [--users 40] [--rows 8] [--noise]
 *
 * --noise also writes retries, dirty and less complete copies of events into raw (curated-cases.ts):
 * the curated step removes them, so every ELT answer stays the same (the named queries and the raw
 * quality checks, which read raw, do see them).
 *
 * Without --dir the lake is built in a temporary folder and removed afterwards; with --dir it stays,
 * for exploring with DuckDB (`read_parquet('<dir>/raw/events/*\/*\/*', hive_partitioning = true)`).
 * Exit codes: 0 done (whatever the checks found: failing checks are results, not errors), 1 bad arguments
 * or a failure to build or query the lake.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { analyticsDatasets } from '../config/datasets/analytics';
import { dataQualityResults } from '../config/datasets/data-quality-results';
import { events as eventsDataset } from '../config/datasets/events';
import { eventsCurated } from '../config/datasets/events-curated';
import { CURATED_TARGET, ELT_TARGETS } from '../constructs/elt/steps';
import { noisyCopies } from '../lib/local-lake/curated-cases';
import { dayRange } from '../lib/local-lake/days';
import { buildPlayground, curatedTable, eltTable, recordQualityRun, runEltDay, runNamedQueries, runQualityChecks, type QualityRun } from '../lib/local-lake/playground';
import { formatTable } from '../lib/local-lake/report';
import { runCommand } from './command';

export interface LakeLocalArgs {
  readonly dir?: string;
  readonly seed: number;
  readonly days: number;
  readonly users: number;
  readonly rows: number;
  readonly noise: boolean;
}

const integer = (name: string, text: string | undefined, fallback: number, min: number, max: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
};

export function parseLakeLocalArgs(argv: readonly string[]): LakeLocalArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { dir: { type: 'string' }, seed: { type: 'string' }, days: { type: 'string' }, users: { type: 'string' }, rows: { type: 'string' }, noise: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  return {
    ...(values.dir !== undefined ? { dir: path.resolve(values.dir) } : {}),
    seed: integer('seed', values.seed, 13, 0, 2 ** 31 - 1),
    // The named queries look back up to 59 days; the ELT's cohorts 30. Up to a year keeps a run under a minute.
    days: integer('days', values.days, 62, 1, 366),
    users: integer('users', values.users, 40, 1, 10_000),
    rows: integer('rows', values.rows, 8, 1, 1000),
    noise: values.noise === true,
  };
}

function qualityLines(run: QualityRun): string[] {
  return run.results.map((result) => {
    const value = result.value === null ? 'no value' : Number.isInteger(result.value) ? String(result.value) : result.value.toFixed(4);
    return `    ${result.status.padEnd(13)} ${result.id.padEnd(32)} ${value} (threshold ${result.comparison} ${result.threshold})${result.reason ? `: ${result.reason}` : ''}`;
  });
}

export async function main(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  const args = parseLakeLocalArgs(argv);
  if (args.dir !== undefined && fs.existsSync(args.dir) && fs.readdirSync(args.dir).length > 0) {
    throw new Error(`--dir ${args.dir} is not empty; give a new or empty folder (nothing is overwritten)`);
  }
  const root = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lake-local-'));
  fs.mkdirSync(root, { recursive: true });
  const playground = await buildPlayground(root, {
    seed: args.seed,
    days: args.days,
    users: args.users,
    ...(args.noise ? { extraRaw: (fixture) => noisyCopies(fixture.events) } : {}),
  });
  const { lake, fixture, objects } = playground;
  try {
    print(`Local lake in ${root}${args.dir === undefined ? ' (temporary)' : ''}`);
    print(`  ${fixture.events.length} events from ${fixture.firstDay} to ${fixture.lastDay} in ${objects.length} Parquet objects under ${eventsDataset.zone}/${objects[0]?.replace(/[^/]+$/, '') ?? ''}…`);
    print(`  current_date is pinned to ${fixture.today}`);

    print('');
    print('Named queries');
    for (const [name, rows] of await runNamedQueries(lake)) {
      print(`  ${name}: ${rows.length} row(s)`);
      formatTable(rows, args.rows).forEach((line) => print(line));
    }

    const days = dayRange(fixture.firstDay, fixture.lastDay);
    for (const day of days) await runEltDay(lake, day);
    const curated = await curatedTable(lake);
    const [raw] = await lake.query(`SELECT count(*) AS n FROM ${lake.database(eventsDataset)}.${eventsDataset.name}`);
    print('');
    print(`Curated events (the ELT's first step: each day and the ${eventsDataset.partitioning.time.maxLatenessDays ?? 7} days before it replaced from raw, cleaned, one row per event_id)`);
    print(`  ${CURATED_TARGET}: ${curated.length} row(s) from ${raw.n} raw row(s); ${Number(raw.n) - curated.length} copies removed, ${curated.filter((row) => row.event_id_generated === true).length} surrogate id(s)`);
    const summary = curated.map((row) => ({ event_date: row.event_date, event_time: row.event_time, event: row.event, user_id: row.user_id, event_id: row.event_id, event_id_generated: row.event_id_generated }));
    formatTable(summary, args.rows).forEach((line) => print(line));
    print('');
    print(`Metrics ELT from ${CURATED_TARGET} (DELETE + INSERT per day, ${days.length} days)`);
    for (const target of ELT_TARGETS) {
      const rows = await eltTable(lake, target);
      print(`  ${target}: ${rows.length} row(s)`);
      formatTable(rows, args.rows).forEach((line) => print(line));
    }

    print('');
    print('Data-quality checks');
    const newest = Math.max(...fixture.events.map((event) => Date.parse(event.event_time)));
    const checkedAt = new Date(`${fixture.today}T01:00:00Z`);
    const runs = [
      // The events window is checked two minutes after the newest event, as on a live stream.
      await runQualityChecks(lake, eventsDataset, new Date(newest + 120_000)),
      ...(await Promise.all([eventsCurated, ...analyticsDatasets].map((dataset) => runQualityChecks(lake, dataset, checkedAt)))),
    ];
    for (const run of runs) {
      print(`  ${run.dataset}`);
      qualityLines(run).forEach((line) => print(line));
      await recordQualityRun(lake, run, checkedAt, `local-${fixture.today}`);
    }
    const [history] = await lake.query(`SELECT count(*) AS results, count_if(passed) AS passed FROM ${lake.database(dataQualityResults)}.data_quality_results`);
    print(`  ${history.results} result(s) recorded in data_quality_results, ${history.passed} passed`);
    if (args.dir === undefined) print('Keep the lake to explore it: npm run lake:local -- --dir ./local-lake');
    return 0;
  } finally {
    lake.close();
    if (args.dir === undefined) fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) void runCommand('lake:local', main);
