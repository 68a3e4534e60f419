/**
 * The scheduled data-quality function. Bundled with esbuild for Lambda, so it imports no CDK code: the
 * AWS SDK clients, the pure rule/SQL modules of this folder, the dataset contract helpers and the
 * Athena query runner of the Iceberg custom resource (backoff, timeout, ClientRequestToken).
 *
 * One invocation (one "run"):
 * 1. reads each table listed in `TABLES` (Glue GetTable, one call per table; nothing else in the catalog is
 *    listed) and parses and validates the dataset contract its parameters carry (`lakehouse.contract`);
 * 2. per dataset, compiles ONE quality query over the window (sql.ts), runs it in `WORKGROUP`
 *    (StartQueryExecution with a ClientRequestToken derived from run, table and SQL; GetQueryExecution
 *    polled with exponential backoff until an overall timeout; GetQueryResults) and evaluates the checks;
 * 3. publishes CloudWatch metrics in `METRIC_NAMESPACE` (PutMetricData, at most 1000 datums per call):
 *    - per dataset and check (dimensions Environment, Dataset, Check): `CheckValue` (when there is a
 *      value) and `CheckFailed` (0/1; not published for a check that was not evaluated);
 *    - per dataset (dimensions Environment, Dataset): `RowCount`, `FreshnessSeconds` (when the freshness
 *      check has a value) and `QueryFailed` (0, or 1 when the dataset could not be checked);
 * 4. appends one row per check result to `HISTORY_DATABASE.data_quality_results` (Athena INSERT, at most
 *    500 rows per statement);
 * 5. when `LINEAGE_DATABASE` is set, records the run as one OpenLineage event in its `lineage` table
 *    (constructs/lineage): job `data_quality`, the checked tables in, the history table out, COMPLETE or
 *    FAIL. Lineage never fails the run: a failure is logged and published as `LineageRecordFailed` = 1.
 *
 * A dataset that could not be checked (its listed table was not found, had no `lakehouse.contract`
 * parameter or could not be read; its contract was invalid; its query FAILED, was CANCELLED or timed out;
 * its results were unreadable) is never reported as passed: it gets QueryFailed=1 and no check metrics
 * (its Dataset dimension is the table name when there is no readable contract), the others are still
 * checked, and the invocation fails at the end with an error listing the datasets (and any metric or
 * history failure), so that the Lambda Errors metric and the DLQ see it.
 * Checks that ran and failed are data problems, not run failures: they are reported through metrics and
 * history, and the invocation succeeds.
 *
 * Run identity: the run ID is the EventBridge event `id` and the run time ("now" for the window and
 * freshness) the event `time`, when present. A retried invocation of the same event therefore compiles
 * the same SQL and sends the same ClientRequestTokens, so Athena returns the executions of the first
 * attempt instead of running (and inserting history) twice.
 *
 * Targeted runs: an event with an `action` is a pipeline's request for one day and some of the listed tables
 * (day-run.ts): `check` runs the usual checks over the partitions holding the day (the report's `passed` is
 * the pipeline's gate), `readiness` returns whether the day's input is complete and publishes nothing.
 * Contracts of Iceberg tables, which carry none in Glue, come from the file `CONTRACTS_FILE` names.
 *
 * Environment: `WORKGROUP`, `TABLES` (JSON array of the Glue tables to check, each
 * `{"database": "...", "table": "..."}`), `HISTORY_DATABASE`, `METRIC_NAMESPACE`, `ENVIRONMENT`; optional `QUERY_TIMEOUT_MS` (per query, default 300000),
 * `QUERY_CONCURRENCY` (datasets checked at once, default 3), `LINEAGE_DATABASE`, `LINEAGE_JOB_NAMESPACE` and `CONTRACTS_FILE`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AthenaClient, GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { AthenaQueryError, AthenaQueryRunner, type LambdaContextLike } from '../catalog/iceberg/handler';
import { CONTRACT_PARAMETER } from '../datasets/glue-table';
import type { DatasetDefinition } from '../datasets/model';
import { datasetProblems } from '../datasets/validation';
import { athenaDatasetName, athenaNamespace, runEvent } from '../lineage/events';
import { lineageInsert } from '../lineage/sql';
import { DIMENSION_NAMES, ENVIRONMENT_VARIABLES as ENV, METRIC_NAMES } from './names';
import { qualityChecks, ROW_COUNT_METRIC, type QualityCheck } from './rules';
import { checkWindow, compileQualityQuery, evaluate, HISTORY_TABLE, historyInsert, historyRows, MetricRowError, type CheckResult, type CheckWindow, type HistoryRow, type MetricRow } from './sql';
import { dayRunAsOf, dayWindow, DayRunRequestError, isDayRunRequest, judgeReadiness, parseDayRunRequest, READINESS_METRIC, readinessQuery, type DayRunRequest, type Readiness } from './day-run';
import { readContractsFile, type ContractsByTable } from './contracts-file';
import { mapWithConcurrency } from '../common/map-with-concurrency';

export { DIMENSION_NAMES, ENVIRONMENT_VARIABLES, METRIC_NAMES } from './names';

/** PutMetricData accepts at most 1000 datums per call. */
export const MAX_DATUMS_PER_CALL = 1000;
/** History rows per INSERT statement (~200 bytes each, far below Athena's 256 KB query limit). */
export const HISTORY_ROWS_PER_STATEMENT = 500;
export const DEFAULT_QUERY_TIMEOUT_MS = 5 * 60 * 1000;
export const DEFAULT_CONCURRENCY = 3;
/** Kept free at the end of the invocation for the history insert, when Lambda says how long is left. */
const HISTORY_RESERVE_MS = 60_000;
/** Kept free for logging and returning, when Lambda says how long is left. */
const LAMBDA_MARGIN_MS = 5_000;
const RUN_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TABLES_EXAMPLE = '[{"database":"lakehouse_dev_raw","table":"events"}]';

/** A Glue table the function checks (an element of `TABLES`). */
export interface DataQualityTable {
  readonly database: string;
  readonly table: string;
}

export interface DataQualityConfig {
  readonly workGroup: string;
  /** The tables to check, in the order given, without duplicates. */
  readonly tables: readonly DataQualityTable[];
  readonly historyDatabase: string;
  readonly metricNamespace: string;
  readonly environment: string;
  readonly queryTimeoutMs: number;
  readonly concurrency: number;
  /** Database of the lineage table; runs are not recorded without it. */
  readonly lineageDatabase?: string;
  readonly lineageJobNamespace: string;
  /** Contracts of tables that cannot carry one (Iceberg), by `database.table`, from `CONTRACTS_FILE`. */
  readonly contractsFile?: string;
}

/** OpenLineage job name of a data-quality run. */
export const LINEAGE_JOB_NAME = 'data_quality';

/** Reads and checks the function's environment; throws naming every variable that is missing or wrong. */
export function readConfig(env: Readonly<Record<string, string | undefined>> = process.env): DataQualityConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') problems.push(`${name} is not set`);
    return value?.trim() ?? '';
  };
  const positiveInteger = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got "${raw}"`);
    return value;
  };
  const workGroup = required(ENV.workGroup);
  const historyDatabase = required(ENV.historyDatabase);
  const metricNamespace = required(ENV.metricNamespace);
  const environment = required(ENV.environment);
  const rawTables = required(ENV.tables);
  let tables: DataQualityTable[] = [];
  if (rawTables !== '') {
    try {
      tables = parseTables(rawTables);
    } catch (error) {
      problems.push(`${ENV.tables} must be a JSON array of the Glue tables to check, e.g. ${TABLES_EXAMPLE} (${(error as Error).message})`);
    }
  }
  const queryTimeoutMs = positiveInteger(ENV.queryTimeoutMs, DEFAULT_QUERY_TIMEOUT_MS);
  const concurrency = positiveInteger(ENV.queryConcurrency, DEFAULT_CONCURRENCY);
  const lineageDatabase = env[ENV.lineageDatabase]?.trim() || undefined;
  if (lineageDatabase !== undefined && !/^[a-z_][a-z0-9_]{0,254}$/.test(lineageDatabase)) {
    problems.push(`${ENV.lineageDatabase} must be a Glue database name (lowercase letters, digits, underscores), got "${lineageDatabase}"`);
  }
  const lineageJobNamespace = env[ENV.lineageJobNamespace]?.trim() || environment;
  const contractsFile = env[ENV.contractsFile]?.trim() || undefined;
  if (problems.length > 0) throw new Error(`Data-quality function misconfigured: ${problems.join('; ')}`);
  return {
    workGroup,
    tables,
    historyDatabase,
    metricNamespace,
    environment,
    queryTimeoutMs,
    concurrency,
    ...(lineageDatabase ? { lineageDatabase } : {}),
    lineageJobNamespace,
    ...(contractsFile ? { contractsFile } : {}),
  };
}

/** The `TABLES` value: a non-empty array of `{database, table}` objects; duplicates are dropped, the order kept. */
function parseTables(raw: string): DataQualityTable[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('not a non-empty array');
  const tables = new Map<string, DataQualityTable>();
  parsed.forEach((element: unknown, index) => {
    if (element === null || typeof element !== 'object' || Array.isArray(element)) throw new Error(`element ${index} is not an object`);
    const { database, table } = element as Record<string, unknown>;
    for (const [key, value] of [['database', database], ['table', table]] as const) {
      if (typeof value !== 'string' || value.trim() === '') throw new Error(`element ${index} has no non-empty string "${key}"`);
    }
    const entry = { database: database as string, table: table as string };
    const key = JSON.stringify([entry.database, entry.table]);
    if (!tables.has(key)) tables.set(key, entry);
  });
  return [...tables.values()];
}

/** What the function reads from its trigger (an EventBridge scheduled event; anything else works too). */
export interface DataQualityEvent {
  /** EventBridge event ID: becomes the run ID. */
  readonly id?: string;
  /** EventBridge event time (ISO-8601): the run time. */
  readonly time?: string;
  readonly [key: string]: unknown;
}

export interface DataQualityDependencies {
  readonly glue?: GlueClient;
  readonly athena?: AthenaClient;
  readonly cloudwatch?: CloudWatchClient;
  /** @default process.env, read at every invocation */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default console.log */
  readonly log?: (message: string) => void;
  /** First wait between polls. @default 500 */
  readonly initialPollDelayMs?: number;
  /** Longest wait between polls. @default 5000 */
  readonly maxPollDelayMs?: number;
  /** Run ID when the event carries none. @default randomUUID */
  readonly newRunId?: () => string;
}

/** One dataset's outcome in a run. */
export interface DatasetOutcome {
  /** The contract's name (the metric's Dataset dimension); the table name when there is no readable contract. */
  readonly dataset: string;
  readonly database: string;
  readonly table: string;
  readonly queryExecutionId?: string;
  /** Rows in the window, when the query succeeded. */
  readonly rowCount?: number;
  readonly results?: readonly CheckResult[];
  /** Why the dataset could not be checked. */
  readonly error?: string;
  /** FAILED / CANCELLED / TIMEOUT (Athena), or ERROR (table, contract, results, anything else). */
  readonly failure?: 'FAILED' | 'CANCELLED' | 'TIMEOUT' | 'ERROR';
}

export interface RunReport {
  readonly runId: string;
  readonly checkedAt: string;
  readonly datasets: readonly DatasetOutcome[];
  /** Checks that ran and failed (data problems: they do not fail the invocation). */
  readonly failedChecks: readonly string[];
  readonly metricsPublished: number;
  readonly historyRows: number;
  readonly historyQueryExecutionIds: readonly string[];
  /** The lineage INSERT's query, when the run was recorded (LINEAGE_DATABASE set and the INSERT succeeded). */
  readonly lineageQueryExecutionId?: string;
  /** Every dataset was checked and no check failed: what a pipeline's quality gate reads. */
  readonly passed: boolean;
  /** The day a targeted run checked (absent for scheduled runs). */
  readonly day?: string;
}

/** What a targeted `readiness` run returns: the day is ready when every dataset is. */
export interface ReadinessReport {
  readonly day: string;
  readonly ready: boolean;
  readonly datasets: readonly Readiness[];
}

/** The run could not do all its work; the report says what it did. */
export class DataQualityRunError extends Error {
  constructor(
    message: string,
    readonly report: RunReport,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'DataQualityRunError';
  }
}

/** A scheduled run or a targeted `check` returns a RunReport; a targeted `readiness` run a ReadinessReport. */
export interface DataQualityHandler {
  (event: DataQualityEvent & { readonly action: 'readiness' }, context?: LambdaContextLike): Promise<ReadinessReport>;
  (event?: DataQualityEvent, context?: LambdaContextLike): Promise<RunReport>;
}

/** A listed table as read from the catalog: its contract, or why there is none to check. */
export interface ContractTable {
  readonly database: string;
  readonly table: string;
  readonly dataset?: DatasetDefinition;
  readonly error?: string;
}

/** Builds the handler; tests inject clients, clock, delays and environment here. */
export function createHandler(deps: DataQualityDependencies = {}): DataQualityHandler {
  const log = deps.log ?? ((message: string) => console.log(message));
  const now = deps.now ?? (() => Date.now());
  let glue = deps.glue;
  let athena = deps.athena;
  let cloudwatch = deps.cloudwatch;

  const run = async (event: DataQualityEvent = {}, context?: LambdaContextLike): Promise<RunReport | ReadinessReport> => {
    const config = readConfig(deps.env ?? process.env);
    glue ??= new GlueClient({});
    athena ??= new AthenaClient({});
    cloudwatch ??= new CloudWatchClient({});
    const runner = new AthenaQueryRunner({
      athena,
      timeoutMs: config.queryTimeoutMs,
      initialPollDelayMs: deps.initialPollDelayMs ?? 500,
      maxPollDelayMs: deps.maxPollDelayMs ?? 5000,
      sleep: deps.sleep,
      now,
      log,
    });
    const startedAt = now();
    const lambdaDeadline = context ? startedAt + context.getRemainingTimeInMillis() - LAMBDA_MARGIN_MS : Number.POSITIVE_INFINITY;
    const runId = typeof event.id === 'string' && RUN_ID.test(event.id) ? event.id : (deps.newRunId ?? randomUUID)();
    const eventTime = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    const checkedAt = new Date(Number.isNaN(eventTime) ? startedAt : eventTime);
    const problems: string[] = [];
    // A pipeline's targeted run (day-run.ts) names a day and some of the listed tables; a scheduled run has neither.
    const request = isDayRunRequest(event) ? parseDayRunRequest(event) : undefined;
    const listed = request ? selectTables(config.tables, request) : config.tables;
    log(
      `Data-quality ${request ? `${request.action} of ${request.day}` : 'run'} ${runId} at ${checkedAt.toISOString()}: tables ${listed.map((entry) => `${entry.database}.${entry.table}`).join(', ')}, workgroup ${config.workGroup}`,
    );

    // 1. The contracts, from the listed tables (one GetTable each). A table without a usable contract
    //    becomes a dataset that could not be checked (checkDataset reports it).
    const contracts = config.contractsFile ? readContractsFile(config.contractsFile) : undefined;
    const tables: ContractTable[] = [];
    for (const entry of listed) tables.push(await contractTable(glue, entry, contracts));

    const queryDeadline = () => Math.min(now() + config.queryTimeoutMs, lambdaDeadline - (Number.isFinite(lambdaDeadline) ? HISTORY_RESERVE_MS : 0));
    if (request?.action === 'readiness') {
      return readiness(tables, request.day, { runner, athena, config, runId, now, deadline: queryDeadline(), log });
    }

    // 2. One query per dataset.
    const windowFor = (dataset: DatasetDefinition): CheckWindow => (request ? dayWindow(dataset, request.day) : checkWindow(dataset, checkedAt));
    const asOf = request ? dayRunAsOf(request.day, checkedAt.getTime()) : checkedAt;
    const outcomes = await mapWithConcurrency(tables, config.concurrency, async (entry): Promise<DatasetOutcome> => {
      const outcome = await checkDataset(entry, { runner, athena: athena as AthenaClient, config, runId, checkedAt, deadline: queryDeadline(), windowFor, asOf });
      log(summarise(outcome));
      return outcome;
    });

    // 3. Metrics.
    const datums = metricData(config.environment, checkedAt, outcomes);
    let metricsPublished = 0;
    for (const batch of chunk(datums, MAX_DATUMS_PER_CALL)) {
      try {
        await cloudwatch.send(new PutMetricDataCommand({ Namespace: config.metricNamespace, MetricData: batch }));
        metricsPublished += batch.length;
      } catch (error) {
        problems.push(`could not publish ${batch.length} metric datum(s) to ${config.metricNamespace}: ${describe(error)}`);
      }
    }

    // 4. History.
    const rows: HistoryRow[] = outcomes.flatMap((outcome) =>
      outcome.results && outcome.queryExecutionId ? historyRows({ runId, checkedAt }, outcome.dataset, outcome.results, outcome.queryExecutionId) : [],
    );
    const historyQueryExecutionIds: string[] = [];
    for (const [index, batch] of chunk(rows, HISTORY_ROWS_PER_STATEMENT).entries()) {
      const sql = historyInsert(config.historyDatabase, batch);
      try {
        const outcome = await runner.run({
          sql,
          workGroup: config.workGroup,
          database: config.historyDatabase,
          clientRequestToken: token(runId, 'history', String(index), sql),
          deadline: Math.min(now() + config.queryTimeoutMs, lambdaDeadline),
          description: `data-quality history insert ${index + 1} of run ${runId} (${batch.length} rows)`,
        });
        historyQueryExecutionIds.push(outcome.queryExecutionId);
      } catch (error) {
        problems.push(`could not append ${batch.length} row(s) to ${config.historyDatabase}.data_quality_results: ${describe(error)}`);
      }
    }

    const unchecked = outcomes.filter((outcome) => outcome.error !== undefined);
    // 5. Lineage: never a reason to fail the run (see the file comment).
    const lineageQueryExecutionId = config.lineageDatabase
      ? await recordLineage({ runner, athena, cloudwatch, config, runId, checkedAt, outcomes, historyRows: rows.length, failed: unchecked.length > 0 || problems.length > 0, log, deadline: Math.min(now() + config.queryTimeoutMs, lambdaDeadline) })
      : undefined;

    const report: RunReport = {
      runId,
      checkedAt: checkedAt.toISOString(),
      datasets: outcomes,
      failedChecks: outcomes.flatMap((outcome) => (outcome.results ?? []).filter((result) => result.status === 'failed').map((result) => `${outcome.dataset}:${result.id}`)),
      metricsPublished,
      historyRows: rows.length,
      historyQueryExecutionIds,
      ...(lineageQueryExecutionId ? { lineageQueryExecutionId } : {}),
      passed: outcomes.every((outcome) => outcome.error === undefined) && failedCheckCount(outcomes) === 0,
      ...(request ? { day: request.day } : {}),
    };
    log(
      `Data-quality run ${runId}: ${outcomes.length - unchecked.length}/${outcomes.length} dataset(s) checked, ${report.failedChecks.length} failed check(s)` +
        `${report.failedChecks.length > 0 ? ` (${report.failedChecks.join(', ')})` : ''}, ${metricsPublished} datum(s), ${rows.length} history row(s)`,
    );
    if (unchecked.length > 0 || problems.length > 0) {
      const parts = [
        ...(unchecked.length > 0 ? [`${unchecked.length} dataset(s) could not be checked: ${unchecked.map((outcome) => `${outcome.dataset} (${outcome.error})`).join('; ')}`] : []),
        ...problems,
      ];
      throw new DataQualityRunError(`Data-quality run ${runId} failed: ${parts.join('; ')}`, report, parts);
    }
    return report;
  };
  return run as DataQualityHandler;
}

interface LineageContext {
  readonly runner: AthenaQueryRunner;
  readonly athena: AthenaClient;
  readonly cloudwatch: CloudWatchClient;
  readonly config: DataQualityConfig;
  readonly runId: string;
  readonly checkedAt: Date;
  readonly outcomes: readonly DatasetOutcome[];
  readonly historyRows: number;
  readonly failed: boolean;
  readonly log: (message: string) => void;
  readonly deadline: number;
}

/**
 * Records the run as one OpenLineage event (step 5 of the file comment) and publishes LineageRecordFailed.
 * The event time is the run time, so a retried invocation sends the same statement and token and Athena
 * returns the first attempt's execution instead of appending the event twice. Never throws.
 */
export async function recordLineage(context: LineageContext): Promise<string | undefined> {
  const { config, runId, checkedAt, outcomes, log } = context;
  const database = config.lineageDatabase as string;
  let queryExecutionId: string | undefined;
  try {
    const namespace = athenaNamespace(await context.athena.config.region());
    const event = runEvent({
      eventType: context.failed ? 'FAIL' : 'COMPLETE',
      eventTime: checkedAt,
      runId,
      job: { namespace: config.lineageJobNamespace, name: LINEAGE_JOB_NAME },
      inputs: outcomes.map((outcome) => ({ namespace, name: athenaDatasetName(outcome.database, outcome.table), rowCount: outcome.rowCount ?? null })),
      outputs: context.historyRows > 0 ? [{ namespace, name: athenaDatasetName(config.historyDatabase, HISTORY_TABLE), rowCount: context.historyRows }] : [],
      facts: { checked_datasets: String(outcomes.length - outcomes.filter((outcome) => outcome.error !== undefined).length), workgroup: config.workGroup },
    });
    const sql = lineageInsert(database, [event]);
    const outcome = await context.runner.run({
      sql,
      workGroup: config.workGroup,
      database,
      clientRequestToken: token(runId, 'lineage', sql),
      deadline: context.deadline,
      description: `lineage event of data-quality run ${runId}`,
    });
    queryExecutionId = outcome.queryExecutionId;
    log(`Data-quality run ${runId}: lineage recorded in ${database}.lineage (query ${queryExecutionId})`);
  } catch (error) {
    log(`Data-quality run ${runId}: lineage NOT recorded in ${database}.lineage (the run goes on): ${describe(error)}`);
  }
  try {
    await context.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: config.metricNamespace,
        MetricData: [
          {
            MetricName: METRIC_NAMES.lineageFailed,
            Dimensions: [{ Name: DIMENSION_NAMES.environment, Value: config.environment }],
            Timestamp: checkedAt,
            Value: queryExecutionId ? 0 : 1,
            Unit: 'Count',
          },
        ],
      }),
    );
  } catch (error) {
    log(`Data-quality run ${runId}: could not publish ${METRIC_NAMES.lineageFailed}: ${describe(error)}`);
  }
  return queryExecutionId;
}

let defaultHandler: DataQualityHandler | undefined;

/** The Lambda entry point (EventBridge schedule). */
export async function handler(event?: DataQualityEvent, context?: LambdaContextLike): Promise<RunReport | ReadinessReport> {
  defaultHandler ??= createHandler();
  return defaultHandler(event, context);
}

/**
 * One listed table, read with Glue GetTable, with the contract its parameters carry parsed. Never throws:
 * a table that is not found, has no `lakehouse.contract` parameter, cannot be read or carries an invalid
 * contract comes back with the reason in `error` (and no `dataset`).
 */
export async function contractTable(glue: GlueClient, { database, table }: DataQualityTable, contracts?: ContractsByTable): Promise<ContractTable> {
  const where = `${database}.${table}`;
  let contract: string | undefined;
  try {
    const response = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
    if (!response?.Table) return { database, table, error: `table ${where} could not be read: Glue GetTable returned no table` };
    // An Iceberg table carries no custom parameters: its contract ships with the function (CONTRACTS_FILE).
    contract = response.Table.Parameters?.[CONTRACT_PARAMETER] ?? contracts?.get(where);
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'EntityNotFoundException') {
      return { database, table, error: `table ${where} was not found in the Glue catalog: ${describe(error)}` };
    }
    return { database, table, error: `table ${where} could not be read: ${describe(error)}` };
  }
  if (contract === undefined) return { database, table, error: `table ${where} has no ${CONTRACT_PARAMETER} parameter` };
  try {
    return { database, table, dataset: parseContract(contract, where) };
  } catch (error) {
    return { database, table, error: (error as Error).message };
  }
}

/** Parses a `lakehouse.contract` parameter and validates it like the synth does. */
export function parseContract(json: string, where: string): DatasetDefinition {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`the ${CONTRACT_PARAMETER} parameter of ${where} is not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`the ${CONTRACT_PARAMETER} parameter of ${where} is not a dataset contract object`);
  const dataset = value as DatasetDefinition;
  let problems: string[];
  try {
    problems = datasetProblems(dataset).map((problem) => `${problem.field}: ${problem.problem}`);
  } catch (error) {
    problems = [`malformed (${(error as Error).message})`];
  }
  if (problems.length > 0) throw new Error(`the contract of ${where} is invalid: ${problems.join('; ')}`);
  return dataset;
}

interface CheckContext {
  readonly runner: AthenaQueryRunner;
  readonly athena: AthenaClient;
  readonly config: DataQualityConfig;
  readonly runId: string;
  readonly checkedAt: Date;
  readonly deadline: number;
  /** The partitions to scan (the scheduled window, or a targeted run's day). */
  readonly windowFor: (dataset: DatasetDefinition) => CheckWindow;
  /** The instant checks are judged at (freshness is measured to it). */
  readonly asOf: Date;
}

async function checkDataset(entry: ContractTable, context: CheckContext): Promise<DatasetOutcome> {
  const base = { dataset: entry.dataset?.name ?? entry.table, database: entry.database, table: entry.table };
  if (!entry.dataset) return { ...base, error: entry.error ?? 'no contract', failure: 'ERROR' };
  const dataset = entry.dataset;
  let checks: QualityCheck[];
  let sql: string;
  try {
    checks = qualityChecks(dataset);
    sql = compileQualityQuery(dataset, { database: entry.database, table: entry.table, window: context.windowFor(dataset) });
  } catch (error) {
    return { ...base, error: `its checks cannot be compiled: ${(error as Error).message}`, failure: 'ERROR' };
  }
  let queryExecutionId: string | undefined;
  try {
    const outcome = await context.runner.run({
      sql,
      workGroup: context.config.workGroup,
      database: entry.database,
      clientRequestToken: token(context.runId, entry.database, entry.table, sql),
      deadline: context.deadline,
      description: `data-quality query of ${entry.database}.${entry.table}`,
    });
    queryExecutionId = outcome.queryExecutionId;
    const row = await queryRow(context.athena, queryExecutionId);
    const results = evaluate(checks, row, context.asOf);
    return { ...base, queryExecutionId, rowCount: row[ROW_COUNT_METRIC] ?? 0, results };
  } catch (error) {
    if (error instanceof AthenaQueryError) {
      const failure = error.state === 'FAILED' || error.state === 'CANCELLED' || error.state === 'TIMEOUT' ? error.state : 'ERROR';
      return { ...base, ...(error.queryExecutionId ? { queryExecutionId: error.queryExecutionId } : {}), error: error.message, failure };
    }
    const what = error instanceof MetricRowError ? 'its query result is unusable' : 'its query result could not be read';
    return { ...base, ...(queryExecutionId ? { queryExecutionId } : {}), error: `${what} (query ${queryExecutionId}): ${describe(error)}`, failure: 'ERROR' };
  }
}

function failedCheckCount(outcomes: readonly DatasetOutcome[]): number {
  return outcomes.reduce((count, outcome) => count + (outcome.results ?? []).filter((result) => result.status === 'failed').length, 0);
}

/** The listed tables a targeted run names (by table name); a name not listed is refused, not skipped. */
export function selectTables(tables: readonly DataQualityTable[], request: DayRunRequest): DataQualityTable[] {
  const unknown = request.datasets.filter((name) => !tables.some((entry) => entry.table === name));
  if (unknown.length > 0) {
    throw new DayRunRequestError(`Data-quality request refused: datasets ${unknown.join(', ')} are not checked by this function; allowed: ${tables.map((entry) => entry.table).join(', ')}`);
  }
  return tables.filter((entry) => request.datasets.includes(entry.table));
}

interface ReadinessContext {
  readonly runner: AthenaQueryRunner;
  readonly athena: AthenaClient;
  readonly config: DataQualityConfig;
  readonly runId: string;
  readonly now: () => number;
  readonly deadline: number;
  readonly log: (message: string) => void;
}

/**
 * A `readiness` run: one query per dataset for the newest value over the day and the day after, judged by
 * day-run.ts. A dataset that cannot be queried fails the invocation (the pipeline retries it); a dataset
 * that is merely not ready yet is a result.
 */
async function readiness(tables: readonly ContractTable[], day: string, context: ReadinessContext): Promise<ReadinessReport> {
  const failures: string[] = [];
  const results: Readiness[] = [];
  for (const entry of tables) {
    const where = `${entry.database}.${entry.table}`;
    if (!entry.dataset) {
      failures.push(`${where}: ${entry.error ?? 'no contract'}`);
      continue;
    }
    try {
      const sql = readinessQuery(entry.dataset, { database: entry.database, table: entry.table, day });
      const outcome = await context.runner.run({
        sql,
        workGroup: context.config.workGroup,
        database: entry.database,
        clientRequestToken: token(context.runId, 'readiness', where, sql),
        deadline: context.deadline,
        description: `readiness of ${where} for ${day}`,
      });
      const row = await queryRow(context.athena, outcome.queryExecutionId);
      const result = judgeReadiness(entry.dataset, day, row[READINESS_METRIC] ?? null, context.now());
      context.log(`Readiness of ${where} for ${day}: ${result.ready ? 'ready' : `not ready (${result.reason})`}`);
      results.push(result);
    } catch (error) {
      failures.push(`${where}: ${describe(error)}`);
    }
  }
  if (failures.length > 0) {
    const report: RunReport = { runId: context.runId, checkedAt: new Date(context.now()).toISOString(), datasets: [], failedChecks: [], metricsPublished: 0, historyRows: 0, historyQueryExecutionIds: [], passed: false, day };
    throw new DataQualityRunError(`Readiness of ${day} could not be judged: ${failures.join('; ')}`, report, failures);
  }
  return { day, ready: results.every((result) => result.ready), datasets: results };
}

/** The single row of a finished quality query (GetQueryResults, all pages), by column name. */
export async function queryRow(athena: AthenaClient, queryExecutionId: string): Promise<MetricRow> {
  let columns: string[] | undefined;
  const rows: Array<Array<string | undefined>> = [];
  let nextToken: string | undefined;
  do {
    const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryExecutionId, NextToken: nextToken }));
    const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo;
    if (columns === undefined && info && info.length > 0) columns = info.map((column) => column.Name ?? column.Label ?? '');
    for (const row of page.ResultSet?.Rows ?? []) rows.push((row.Data ?? []).map((datum) => datum.VarCharValue));
    nextToken = page.NextToken;
  } while (nextToken);
  return metricRow(columns, rows);
}

/**
 * Turns Athena's result rows into a MetricRow. Athena repeats the column names as the first row of a
 * SELECT's results; that header is dropped. Exactly one data row must remain. A missing VarCharValue is
 * SQL NULL.
 */
export function metricRow(columns: readonly string[] | undefined, rows: ReadonlyArray<ReadonlyArray<string | undefined>>): MetricRow {
  let names = columns;
  let data = rows;
  if (!names || names.length === 0) {
    if (rows.length === 0) throw new MetricRowError('the query returned neither columns nor rows');
    names = rows[0].map((name) => name ?? '');
    data = rows.slice(1);
  } else if (rows.length > 0 && rows[0].length === names.length && rows[0].every((value, index) => value === names?.[index])) {
    data = rows.slice(1);
  }
  if (data.length !== 1) throw new MetricRowError(`the query returned ${data.length} data rows, expected exactly 1`);
  const [values] = data;
  if (values.length !== names.length) throw new MetricRowError(`the result row has ${values.length} values for ${names.length} columns`);
  const row: Record<string, number | null> = {};
  names.forEach((name, index) => {
    const text = values[index];
    if (text === undefined) {
      row[name] = null;
      return;
    }
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new MetricRowError(`column ${name} is "${text}", not a number`);
    row[name] = value;
  });
  return row;
}

/** Every datum a run publishes (see the file comment), timestamped with the run time. */
export function metricData(environment: string, checkedAt: Date, outcomes: readonly DatasetOutcome[]): MetricDatum[] {
  const datums: MetricDatum[] = [];
  for (const outcome of outcomes) {
    const datasetDimensions = [
      { Name: DIMENSION_NAMES.environment, Value: environment },
      { Name: DIMENSION_NAMES.dataset, Value: outcome.dataset },
    ];
    const datum = (name: string, value: number, unit: StandardUnit, check?: string): MetricDatum => ({
      MetricName: name,
      Dimensions: check === undefined ? datasetDimensions : [...datasetDimensions, { Name: DIMENSION_NAMES.check, Value: check }],
      Timestamp: checkedAt,
      Value: value,
      Unit: unit,
    });
    if (outcome.error !== undefined || !outcome.results) {
      // Never a pass: no check values, only the failure.
      datums.push(datum(METRIC_NAMES.queryFailed, 1, 'Count'));
      continue;
    }
    datums.push(datum(METRIC_NAMES.queryFailed, 0, 'Count'));
    datums.push(datum(METRIC_NAMES.rowCount, outcome.rowCount ?? 0, 'Count'));
    for (const result of outcome.results) {
      if (result.kind === 'freshness' && result.value !== null) datums.push(datum(METRIC_NAMES.freshnessSeconds, result.value, 'Seconds'));
      if (result.value !== null) datums.push(datum(METRIC_NAMES.checkValue, result.value, unitOf(result), result.id));
      if (result.status !== 'not_evaluated') datums.push(datum(METRIC_NAMES.checkFailed, result.passed ? 0 : 1, 'Count', result.id));
    }
  }
  return datums;
}

function unitOf(result: CheckResult): StandardUnit {
  if (result.kind === 'freshness') return 'Seconds';
  if (result.kind === 'completeness' || result.kind === 'uniqueness') return 'None';
  return 'Count';
}

function summarise(outcome: DatasetOutcome): string {
  const name = `${outcome.database}.${outcome.table}`;
  if (outcome.error !== undefined) return `Data quality of ${name}: NOT CHECKED (${outcome.failure}): ${outcome.error}`;
  const results = outcome.results ?? [];
  const lines = results.map((result) => `${result.id}=${result.value ?? 'n/a'} ${result.status}${result.reason ? ` (${result.reason})` : ''}`);
  return `Data quality of ${name} (query ${outcome.queryExecutionId}, ${outcome.rowCount} rows): ${lines.join(', ')}`;
}

export { mapWithConcurrency };

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

/** An idempotency token for StartQueryExecution (64 hex characters; Athena takes 32-128). */
function token(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
