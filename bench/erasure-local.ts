/**
 * Erasure timings on the local lake, in process, no network:
 * `npx tsx bench/erasure-local.ts [--days 62] [--users 40] [--subjects 3] [--runs 3]`.
 *
 * Per run, on a fresh playground lake (sample events as raw Parquet, events_curated filled from them):
 * one batch erasing the first `--subjects` users with the shipped plan (find, forget, verify per dataset),
 * timed per dataset and step. Prints the median of the runs, numbers only: no assertions. DuckDB on a
 * laptop says how the statements scale with the lake's size here, not what Athena will take.
 */
import * as fs from 'fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { events } from '../config/datasets/events';
import { eventsCurated } from '../config/datasets/events-curated';
import { erasurePlan } from '../constructs/privacy/plan';
import { buildPlayground, LOCAL_DATABASES } from '../lib/local-lake/playground';
import { findLocally, forgetLocally, verifyLocally } from '../lib/privacy-local/forget';
import { attachSubjects, writeSubjects } from '../lib/privacy-local/subjects';

const { values } = parseArgs({ options: { days: { type: 'string', default: '62' }, users: { type: 'string', default: '40' }, subjects: { type: 'string', default: '3' }, runs: { type: 'string', default: '3' } } });
const [DAYS, USERS, SUBJECTS, RUNS] = [Number(values.days), Number(values.users), Number(values.subjects), Number(values.runs)];
const PRIVACY_DATABASE = 'lakehouse_local_privacy';
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function run(): Promise<Record<string, number>> {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'bench-erasure-'));
  try {
    const { lake, fixture, objects } = await buildPlayground(root, { days: DAYS, users: USERS });
    await lake.native(
      `INSERT INTO "${LOCAL_DATABASES.curated}"."events_curated" (event, user_id, event_time, context, traits, properties, event_id, event_date, event_id_generated) ` +
        `SELECT event, user_id, event_time, context, traits, properties, event_id, CAST(event_time AS DATE), false FROM "${LOCAL_DATABASES.raw}"."events"`,
    );
    await attachSubjects(lake, PRIVACY_DATABASE);
    const plan = erasurePlan([events, eventsCurated], { databases: LOCAL_DATABASES, buckets: { raw: 'raw', curated: 'curated' }, privacyDatabase: PRIVACY_DATABASE });
    const subjects = [...new Set(fixture.events.map((event) => event.user_id).filter((user): user is string => user !== null))].sort().slice(0, SUBJECTS);
    writeSubjects(lake, 'bench', subjects);
    const numbers: Record<string, number> = { events: fixture.events.length, objects: objects.length };
    for (const target of plan) {
      const [found, findMs] = await timed(() => findLocally(lake, target, 'bench'));
      const [removed, forgetMs] = await timed(() => forgetLocally(lake, target, 'bench', found));
      const [remaining, verifyMs] = await timed(() => verifyLocally(lake, target, 'bench'));
      Object.assign(numbers, {
        [`${target.dataset}.rowsFound`]: found.rows,
        [`${target.dataset}.objectsFound`]: found.objects.length,
        [`${target.dataset}.rowsRemoved`]: removed,
        [`${target.dataset}.remaining`]: remaining,
        [`${target.dataset}.findMs`]: findMs,
        [`${target.dataset}.forgetMs`]: forgetMs,
        [`${target.dataset}.verifyMs`]: verifyMs,
      });
    }
    lake.close();
    return numbers;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

(async () => {
  const samples: Array<Record<string, number>> = [];
  for (let index = 0; index < RUNS; index += 1) samples.push(await run());
  console.log(`erasure on the local lake: ${samples[0].events} events, ${samples[0].objects} Parquet objects, ${SUBJECTS} subject(s); ${RUNS} run(s), median; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
  for (const key of Object.keys(samples[0]).filter((name) => name.includes('.'))) {
    const value = median(samples.map((sample) => sample[key]));
    console.log(`  ${key.padEnd(32)} ${key.endsWith('Ms') ? `${value.toFixed(0)} ms` : value}`);
  }
})();
