/**
 * Local lake timings, in process, no network: `npx tsx bench/local-lake.ts [--days 62] [--users 40] [--runs 3]`.
 *
 * Per run, on a fresh temporary lake: building it (sample events → Parquet under the Firehose prefixes),
 * all named queries, the ELT for every day (12 statements a day: the curated step, timed apart, then the
 * metrics), and the quality checks of events, events_curated and the analytics tables. Prints the median of the runs, numbers only: no assertions.
 */
import * as fs from 'fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { analyticsDatasets } from '../config/datasets/analytics';
import { events as eventsDataset } from '../config/datasets/events';
import { eventsCurated } from '../config/datasets/events-curated';
import { dayRange } from '../lib/local-lake/days';
import { buildPlayground, runCuratedDay, runMetricsDay, runNamedQueries, runQualityChecks } from '../lib/local-lake/playground';

const { values } = parseArgs({ options: { days: { type: 'string', default: '62' }, users: { type: 'string', default: '40' }, runs: { type: 'string', default: '3' } } });
const [DAYS, USERS, RUNS] = [Number(values.days), Number(values.users), Number(values.runs)];
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function run() {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'bench-local-lake-'));
  try {
    const [playground, buildMs] = await timed(() => buildPlayground(root, { days: DAYS, users: USERS }));
    const { lake, fixture } = playground;
    const [, queriesMs] = await timed(() => runNamedQueries(lake));
    const days = dayRange(fixture.firstDay, fixture.lastDay);
    // As the state machine runs a day: the curated step, then the metrics; each timed on its own.
    let curatedMs = 0;
    let metricsMs = 0;
    for (const day of days) {
      curatedMs += (await timed(() => runCuratedDay(lake, day)))[1];
      metricsMs += (await timed(() => runMetricsDay(lake, day)))[1];
    }
    const eltMs = curatedMs + metricsMs;
    const now = new Date(`${fixture.today}T01:00:00Z`);
    const [, checksMs] = await timed(async () => {
      for (const dataset of [eventsDataset, eventsCurated, ...analyticsDatasets]) await runQualityChecks(lake, dataset, now);
    });
    lake.close();
    return { events: fixture.events.length, objects: playground.objects.length, days: days.length, buildMs, queriesMs, curatedMs, metricsMs, eltMs, eltDayMs: eltMs / days.length, checksMs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

(async () => {
  const samples = [];
  for (let index = 0; index < RUNS; index += 1) samples.push(await run());
  const first = samples[0];
  console.log(`local lake: ${first.events} events, ${first.objects} Parquet objects, ${first.days} days; ${RUNS} run(s), median; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
  for (const key of ['buildMs', 'queriesMs', 'curatedMs', 'metricsMs', 'eltMs', 'eltDayMs', 'checksMs'] as const) {
    console.log(`  ${key.padEnd(10)} ${median(samples.map((sample) => sample[key])).toFixed(0)} ms`);
  }
})();
