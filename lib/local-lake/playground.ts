/**
 * The local playground: a small lake on disk laid out as Firehose writes it, and runs of the product's
 * named queries, metrics ELT and data-quality checks over it, through the same SQL text the stacks deploy.
 * Used by `npm run lake:local` (scripts/lake-local.ts) and by the result-asserting SQL tests.
 */
import { analyticsDatasets } from '../../config/datasets/analytics';
import { dataQualityResults } from '../../config/datasets/data-quality-results';
import { events as eventsDataset } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { namedQueries } from '../../constructs/catalog/queries';
import { checkWindow, compileQualityQuery, evaluate, historyInsert, historyRows, type CheckResult, type MetricRow } from '../../constructs/data-quality/sql';
import { qualityChecks } from '../../constructs/data-quality/rules';
import { dayRunAsOf, dayWindow, judgeReadiness, READINESS_METRIC, readinessQuery, type Readiness } from '../../constructs/data-quality/day-run';
import type { DatasetDefinition } from '../../constructs/datasets';
import { CURATED_TARGET, DEFAULT_LATENESS_DAYS, eltSteps, renderStatement, type EltStep, type EltTarget } from '../../constructs/elt/steps';
import { glueDatabasePrefix } from '../naming';
import { LocalLake, type Row } from './engine';
import { generateFixture, type EventRecord, type Fixture, type FixtureOptions } from './fixture';
import { writeParquetRecords } from './writer';

/** Glue database names as an environment called `local` of the default project would have them. */
export const LOCAL_DATABASES = {
  raw: `${glueDatabasePrefix('lakehouse', 'local')}_raw`,
  curated: `${glueDatabasePrefix('lakehouse', 'local')}_curated`,
  analytics: `${glueDatabasePrefix('lakehouse', 'local')}_analytics`,
} as const;

export interface Playground {
  readonly lake: LocalLake;
  readonly fixture: Fixture;
  /** Object keys written under the raw zone's bucket folder. */
  readonly objects: readonly string[];
}

export interface PlaygroundOptions extends FixtureOptions {
  /**
   * Raw records written after the fixture's events, for example noisy copies (curated-cases.ts): the
   * fixture's known answers still hold when the curated job cleans them away. @default none
   */
  readonly extraRaw?: (fixture: Fixture) => readonly EventRecord[];
}

/** Writes the fixture's events under `root` as Firehose would, and opens the engine over them. */
export async function buildPlayground(root: string, options: PlaygroundOptions = {}): Promise<Playground> {
  const fixture = generateFixture(options);
  const lake = await LocalLake.open({ root, today: fixture.today, databases: LOCAL_DATABASES });
  try {
    const objects = await writeParquetRecords(lake, eventsDataset, fixture.events);
    const extra = options.extraRaw?.(fixture) ?? [];
    if (extra.length > 0) objects.push(...(await writeParquetRecords(lake, eventsDataset, extra)));
    await lake.attachParquet(eventsDataset);
    for (const dataset of [eventsCurated, ...analyticsDatasets, dataQualityResults]) await lake.createTable(dataset);
    return { lake, fixture, objects };
  } catch (error) {
    lake.close();
    throw error;
  }
}

/** Every shipped named query's rows, by query name. */
export async function runNamedQueries(lake: LocalLake): Promise<Map<string, Row[]>> {
  const results = new Map<string, Row[]>();
  for (const query of namedQueries(LOCAL_DATABASES.raw)) results.set(query.name, await lake.query(query.sql));
  return results;
}

/** The synth-time values of the ELT SQL in the local lake; the lateness window is the events contract's. */
export const LOCAL_ELT_SETTINGS = {
  rawDatabase: LOCAL_DATABASES.raw,
  curatedDatabase: LOCAL_DATABASES.curated,
  analyticsDatabase: LOCAL_DATABASES.analytics,
  latenessDays: eventsDataset.partitioning.time.maxLatenessDays ?? DEFAULT_LATENESS_DAYS,
} as const;

async function runStep(lake: LocalLake, step: EltStep, day: string): Promise<void> {
  for (const statement of step.statements) await lake.query(renderStatement(statement, { day, ...LOCAL_ELT_SETTINGS }));
}

/** The curated step for one day: replaces the day and its lateness window in events_curated from raw. */
export async function runCuratedDay(lake: LocalLake, day: string): Promise<void> {
  await runStep(lake, eltSteps().find((step) => step.target === CURATED_TARGET) as EltStep, day);
}

/** The metrics steps for one day (all, or only `targets`), reading events_curated as it stands. */
export async function runMetricsDay(lake: LocalLake, day: string, targets?: readonly EltTarget[]): Promise<void> {
  for (const step of eltSteps()) {
    if (step.target === CURATED_TARGET || (targets && !targets.includes(step.target))) continue;
    await runStep(lake, step, day);
  }
}

/** One day as the state machine runs it: the curated step, then the metrics (all, or only `targets`). */
export async function runEltDay(lake: LocalLake, day: string, targets?: readonly EltTarget[]): Promise<void> {
  await runCuratedDay(lake, day);
  await runMetricsDay(lake, day, targets);
}

/** events_curated in a stable order (day, time, id), for comparisons. */
export async function curatedTable(lake: LocalLake): Promise<Row[]> {
  return lake.native(`SELECT * FROM "${LOCAL_DATABASES.curated}"."${CURATED_TARGET}" ORDER BY event_date, event_time, event_id`);
}

/** A target's rows in a stable order (its unique key), for comparisons. */
export async function eltTable(lake: LocalLake, target: EltTarget): Promise<Row[]> {
  const dataset = analyticsDatasets.find((candidate) => candidate.name === target) as DatasetDefinition;
  const key = (dataset.quality?.uniqueKey ?? []).map((column) => `"${column}"`).join(', ');
  return lake.native(`SELECT * FROM "${LOCAL_DATABASES.analytics}"."${target}" ORDER BY ${key}`);
}

export interface QualityRun {
  readonly dataset: string;
  readonly query: string;
  readonly metrics: MetricRow;
  readonly results: readonly CheckResult[];
}

/** Compiles, runs and evaluates one dataset's quality query at `now`, as the scheduled function does. */
export async function runQualityChecks(lake: LocalLake, dataset: DatasetDefinition, now: Date): Promise<QualityRun> {
  const query = compileQualityQuery(dataset, { database: lake.database(dataset), window: checkWindow(dataset, now) });
  const [row] = await lake.query(query);
  const metrics = Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value === null ? null : Number(value)]));
  return { dataset: dataset.name, query, metrics, results: evaluate(qualityChecks(dataset), metrics, now) };
}

/** A pipeline's targeted check of one day (the partitions holding it), judged as of the day's end or `now`. */
export async function runDayQualityChecks(lake: LocalLake, dataset: DatasetDefinition, day: string, now: Date): Promise<QualityRun> {
  const query = compileQualityQuery(dataset, { database: lake.database(dataset), window: dayWindow(dataset, day) });
  const [row] = await lake.query(query);
  const metrics = Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value === null ? null : Number(value)]));
  return { dataset: dataset.name, query, metrics, results: evaluate(qualityChecks(dataset), metrics, dayRunAsOf(day, now.getTime())) };
}

/** A pipeline's readiness probe of one day's input, through the function's own query and judgement. */
export async function dayReadiness(lake: LocalLake, dataset: DatasetDefinition, day: string, now: Date): Promise<Readiness> {
  const [row] = await lake.query(readinessQuery(dataset, { database: lake.database(dataset), day }));
  const newest = row[READINESS_METRIC];
  return judgeReadiness(dataset, day, newest === null ? null : Number(newest), now.getTime());
}

/** Appends quality results to the history table through the function's own INSERT. */
export async function recordQualityRun(lake: LocalLake, run: QualityRun, checkedAt: Date, runId: string): Promise<void> {
  const rows = historyRows({ runId, checkedAt }, run.dataset, run.results, 'local');
  await lake.query(historyInsert(lake.database(dataQualityResults), rows));
}
