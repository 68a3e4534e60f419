import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { AccessDeniedException, EntityNotFoundException, GetTableCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTRACT_PARAMETER, parquetTableParameters, type DatasetDefinition } from '../../constructs/datasets';
import {
  chunk,
  createHandler,
  DataQualityRunError,
  handler,
  mapWithConcurrency,
  metricRow,
  parseContract,
  readConfig,
  type DataQualityDependencies,
} from '../../constructs/data-quality/handler';
import { checkWindow, compileQualityQuery } from '../../constructs/data-quality/sql';
import { clientErrors } from '../../config/datasets/client-errors';
import { events } from '../../config/datasets/events';
import { CREDENTIALS } from './support';

/**
 * The handler's flow against aws-sdk-client-mock, for what moto cannot produce: FAILED and CANCELLED
 * queries, a query that never finishes (timeout), throttled StartQueryExecution calls, an empty window
 * (0 rows, NULL metrics), listed tables that are missing, carry no contract or cannot be read, unreadable results, metric and history failures,
 * more than 1000 datums. Time is a fake clock: sleeping advances it. The happy path over the real wire
 * protocols (Glue, Athena, CloudWatch) is in handler-moto.test.ts.
 */

const REGION = 'us-east-1';
const RAW = 'lakehouse_test_raw';
const HISTORY = 'lakehouse_test_operations';
const WORKGROUP = 'lakehouse-test-dq';
const NAMESPACE = 'Lakehouse/DataQuality';
const CURATED = 'lakehouse_test_curated';
const ENV = { WORKGROUP, TABLES: JSON.stringify([{ database: RAW, table: 'events' }]), HISTORY_DATABASE: HISTORY, METRIC_NAMESPACE: NAMESPACE, ENVIRONMENT: 'test' };
const RUN_TIME = '2026-11-23T10:00:00Z';
const EVENT = { id: 'run-0001', time: RUN_TIME, 'detail-type': 'Scheduled Event' };
const epoch = (iso: string) => String(Date.parse(iso) / 1000);

const glueClient = new GlueClient({ region: REGION, credentials: CREDENTIALS });
const athenaClient = new AthenaClient({ region: REGION, credentials: CREDENTIALS });
const cloudwatchClient = new CloudWatchClient({ region: REGION, credentials: CREDENTIALS });
const glue = mockClient(glueClient);
const athena = mockClient(athenaClient);
const cloudwatch = mockClient(cloudwatchClient);

afterEach(() => {
  glue.reset();
  athena.reset();
  cloudwatch.reset();
});

const tableOf = (dataset: DatasetDefinition, database = RAW): Table => ({
  Name: dataset.name,
  DatabaseName: database,
  Parameters: parquetTableParameters(dataset, 'lakehouse-test-raw'),
});

/** The environment with TABLES listing these `[database, table]` pairs, in order. */
const listing = (...names: Array<readonly [database: string, table: string]>) => ({ ...ENV, TABLES: JSON.stringify(names.map(([database, table]) => ({ database, table }))) });

/** Glue's GetTable answers these tables (by database and name); the returned environment lists them in TABLES. */
function catalog(...tables: Table[]): Record<string, string> {
  for (const table of tables) glue.on(GetTableCommand, { DatabaseName: table.DatabaseName, Name: table.Name }).resolves({ Table: table });
  return listing(...tables.map((table) => [table.DatabaseName ?? '', table.Name ?? ''] as const));
}

/** Every GetTable call, as `database.table`; fails if the handler sent Glue anything else. */
function tablesRead(): string[] {
  return glue.calls().map((call) => {
    const command = call.args[0];
    expect(command).toBeInstanceOf(GetTableCommand);
    const input = (command as GetTableCommand).input;
    return `${input.DatabaseName}.${input.Name}`;
  });
}

/** A fake clock: sleeping advances it, and every wait is recorded. */
function fakeClock(start = Date.parse('2026-11-23T10:00:05Z')) {
  const clock = { time: start, waits: [] as number[] };
  return { clock, now: () => clock.time, sleep: async (ms: number) => void (clock.waits.push(ms), (clock.time += ms)) };
}

type Behaviour = {
  /** States returned by successive GetQueryExecution calls; the last one repeats. */
  readonly states?: readonly QueryExecutionState[];
  readonly reason?: string;
  /** Metric columns → value (null = SQL NULL). */
  readonly row?: Readonly<Record<string, string | null>>;
};

const GOOD_EVENTS = {
  row_count: '1000',
  completeness__event: '1.0',
  completeness__user_id: '0.995',
  completeness__event_time: '1.0',
  bad_format__event: '0',
  newest_epoch_seconds: epoch('2026-11-23T09:58:00Z'),
};
const GOOD_CLIENT_ERRORS = {
  row_count: '40',
  completeness__error_id: '1.0',
  completeness__app_version: '0.95', // below 0.99: a failed check
  duplicate_keys: '0',
  newest_epoch_seconds: epoch('2026-11-23T09:59:00Z'),
};

/**
 * Athena by table: StartQueryExecution answers `q-<table>` for a quality query and `q-history-<n>` for a
 * history insert; GetQueryExecution and GetQueryResults follow the behaviour given for the table.
 */
function fakeAthena(behaviours: Readonly<Record<string, Behaviour>>) {
  const polls = new Map<string, number>();
  let inserts = 0;
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    if (input.QueryString.startsWith('INSERT INTO')) return { QueryExecutionId: `q-history-${++inserts}` };
    const table = /FROM "[^"]+"\."([^"]+)"/.exec(input.QueryString)?.[1];
    return { QueryExecutionId: `q-${table}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => {
    const id = input.QueryExecutionId;
    const behaviour = behaviours[id.replace(/^q-/, '')] ?? {};
    const states = behaviour.states ?? ['SUCCEEDED'];
    const count = polls.get(id) ?? 0;
    polls.set(id, count + 1);
    const state = states[Math.min(count, states.length - 1)];
    return { QueryExecution: { QueryExecutionId: id, Status: { State: state, ...(behaviour.reason ? { StateChangeReason: behaviour.reason } : {}) } } };
  });
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const row = behaviours[input.QueryExecutionId.replace(/^q-/, '')]?.row ?? {};
    const names = Object.keys(row);
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: names.map((name) => ({ Name: name, Label: name, Type: 'varchar' })) },
        Rows: [{ Data: names.map((name) => ({ VarCharValue: name })) }, { Data: names.map((name) => (row[name] === null ? {} : { VarCharValue: row[name] as string })) }],
      },
    };
  });
  athena.on(StopQueryExecutionCommand).resolves({});
}

function deps(overrides: Partial<DataQualityDependencies> = {}): DataQualityDependencies {
  const { now, sleep } = fakeClock();
  return { glue: glueClient, athena: athenaClient, cloudwatch: cloudwatchClient, env: ENV, now, sleep, log: () => undefined, ...overrides };
}

/** Every datum published, over all PutMetricData calls. */
function published(): MetricDatum[] {
  return cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) => {
    expect(call.args[0].input.Namespace).toBe(NAMESPACE);
    return call.args[0].input.MetricData ?? [];
  });
}

/** `Metric{Dataset,Check}=value` for every datum, for whole-set assertions. */
function publishedLines(): string[] {
  return published().map((datum) => {
    const dims = Object.fromEntries((datum.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));
    expect(dims.Environment).toBe('test');
    return `${datum.MetricName}{${dims.Dataset}${dims.Check ? `,${dims.Check}` : ''}}=${datum.Value}`;
  });
}

const historyStatements = () =>
  athena
    .commandCalls(StartQueryExecutionCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.QueryString?.startsWith('INSERT'));

async function runExpectingFailure(run: Promise<unknown>): Promise<DataQualityRunError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(DataQualityRunError);
    return error as DataQualityRunError;
  }
  throw new Error('the run was expected to fail');
}

describe('a dataset whose query does not succeed is never reported as passed (mocks)', () => {
  it('FAILED: QueryFailed=1 and no check metrics for it; the other dataset is checked; the invocation fails naming it', async () => {
    const env = catalog(tableOf(events), tableOf(clientErrors));
    fakeAthena({
      events: { states: ['QUEUED', 'RUNNING', 'FAILED'], reason: 'HIVE_BAD_DATA: Malformed Parquet file' },
      client_errors: { row: GOOD_CLIENT_ERRORS },
    });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));

    expect(error.message).toBe(
      'Data-quality run run-0001 failed: 1 dataset(s) could not be checked: events (Athena query q-events (data-quality query of lakehouse_test_raw.events) ' +
        'in workgroup lakehouse-test-dq FAILED: HIVE_BAD_DATA: Malformed Parquet file)',
    );
    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure ?? 'checked', outcome.queryExecutionId])).toEqual([
      ['events', 'FAILED', 'q-events'],
      ['client_errors', 'checked', 'q-client_errors'],
    ]);
    expect(publishedLines()).toEqual([
      'QueryFailed{events}=1',
      'QueryFailed{client_errors}=0',
      'RowCount{client_errors}=40',
      'CheckValue{client_errors,row_count.min}=40',
      'CheckFailed{client_errors,row_count.min}=0',
      'CheckValue{client_errors,completeness.error_id}=1',
      'CheckFailed{client_errors,completeness.error_id}=0',
      'CheckValue{client_errors,completeness.app_version}=0.95',
      'CheckFailed{client_errors,completeness.app_version}=1',
      'CheckValue{client_errors,uniqueness.error_id}=0',
      'CheckFailed{client_errors,uniqueness.error_id}=0',
      'FreshnessSeconds{client_errors}=60',
      'CheckValue{client_errors,freshness.reported_at}=60',
      'CheckFailed{client_errors,freshness.reported_at}=0',
    ]);
    // History holds what was measured: client_errors only.
    const [insert] = historyStatements();
    expect(insert.QueryString).not.toContain("'events'");
    expect(insert.QueryString?.match(/'client_errors'/g)).toHaveLength(5);
    expect(insert).toMatchObject({ WorkGroup: WORKGROUP, QueryExecutionContext: { Database: HISTORY } });
    expect(error.report.failedChecks).toEqual(['client_errors:completeness.app_version']);
  });

  it('CANCELLED is a failure too', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { states: ['RUNNING', 'CANCELLED'], reason: 'Query cancelled by user' } });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.report.datasets[0]).toMatchObject({ failure: 'CANCELLED', queryExecutionId: 'q-events' });
    expect(error.message).toContain('CANCELLED: Query cancelled by user');
    expect(publishedLines()).toEqual(['QueryFailed{events}=1']);
    expect(historyStatements()).toEqual([]); // nothing measured, nothing appended
  });

  it('timeout: a query still running at the deadline is stopped, after exponential backoff; QueryFailed=1', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { states: ['RUNNING'] } });
    const { clock, now, sleep } = fakeClock();
    const error = await runExpectingFailure(createHandler(deps({ now, sleep, env: { ...env, QUERY_TIMEOUT_MS: '20000' }, initialPollDelayMs: 250, maxPollDelayMs: 4000 }))(EVENT));
    expect(error.report.datasets[0]).toMatchObject({ failure: 'TIMEOUT', queryExecutionId: 'q-events' });
    expect(error.message).toContain('did not finish within the 20 s timeout (last state RUNNING); asked Athena to stop it (StopQueryExecution)');
    expect(clock.waits.slice(0, 6)).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect(clock.waits.reduce((sum, wait) => sum + wait, 0)).toBe(20_000);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((call) => call.args[0].input)).toEqual([{ QueryExecutionId: 'q-events' }]);
    expect(publishedLines()).toEqual(['QueryFailed{events}=1']);
  });

  it('the Lambda’s remaining time bounds the query deadline (a minute is kept for the history insert)', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { states: ['RUNNING'] } });
    const { clock, now, sleep } = fakeClock();
    const error = await runExpectingFailure(createHandler(deps({ now, sleep, env }))(EVENT, { getRemainingTimeInMillis: () => 100_000 }));
    expect(error.report.datasets[0].failure).toBe('TIMEOUT');
    // 100 s remaining − 5 s margin − 60 s history reserve.
    expect(clock.waits.reduce((sum, wait) => sum + wait, 0)).toBe(35_000);
  });

  it('results that cannot be the quality row (two data rows, text) fail the dataset', async () => {
    const env = catalog(tableOf(events), tableOf(clientErrors));
    fakeAthena({ events: { row: { ...GOOD_EVENTS, row_count: 'many' } }, client_errors: { row: GOOD_CLIENT_ERRORS } });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-client_errors' }).resolves({
      ResultSet: { Rows: [{ Data: [{ VarCharValue: 'row_count' }] }, { Data: [{ VarCharValue: '1' }] }, { Data: [{ VarCharValue: '2' }] }] },
    });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure])).toEqual([
      ['events', 'ERROR'],
      ['client_errors', 'ERROR'],
    ]);
    expect(error.message).toContain('events (its query result is unusable (query q-events): MetricRowError: column row_count is "many", not a number)');
    expect(error.message).toContain('client_errors (its query result is unusable (query q-client_errors): MetricRowError: the query returned 2 data rows, expected exactly 1)');
    expect(publishedLines()).toEqual(['QueryFailed{events}=1', 'QueryFailed{client_errors}=1']);
  });

  it('a GetQueryResults error fails the dataset, and says the result could not be read', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({});
    athena.on(GetQueryResultsCommand).rejects(new Error('AccessDenied on the result bucket'));
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.message).toContain('events (its query result could not be read (query q-events): Error: AccessDenied on the result bucket)');
  });
});

describe('throttling (mocks)', () => {
  it('keeps retrying a throttled StartQueryExecution with backoff and the same ClientRequestToken; the dataset passes', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { row: GOOD_EVENTS } });
    const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED', $metadata: { httpStatusCode: 400 } });
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .callsFake((input: { QueryString: string }) => ({ QueryExecutionId: input.QueryString.startsWith('INSERT') ? 'q-history-1' : 'q-events' }));
    const { clock, now, sleep } = fakeClock();
    const messages: string[] = [];
    const report = await createHandler(deps({ now, sleep, env, log: (message) => messages.push(message), initialPollDelayMs: 100 }))(EVENT);

    const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    const qualityStarts = starts.filter((input) => !input.QueryString?.startsWith('INSERT'));
    expect(qualityStarts).toHaveLength(4);
    expect(new Set(qualityStarts.map((input) => input.ClientRequestToken)).size).toBe(1);
    expect(qualityStarts[0].ClientRequestToken).toMatch(/^[0-9a-f]{64}$/);
    expect(clock.waits.slice(0, 3)).toEqual([100, 200, 400]);
    expect(messages.filter((message) => message.includes('throttled the start'))).toHaveLength(3);
    expect(report.datasets[0]).toMatchObject({ dataset: 'events', queryExecutionId: 'q-events' });
    expect(report.datasets[0].results?.every((result) => result.passed)).toBe(true);
  });

  it('a retried invocation of the same event sends the same SQL and tokens (Athena dedupes them)', async () => {
    const tokens: Array<Array<string | undefined>> = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const env = catalog(tableOf(events));
      fakeAthena({ events: { row: GOOD_EVENTS } });
      // The retry comes later: the run time is the event's, not the clock's.
      const { now, sleep } = fakeClock(Date.parse('2026-11-23T10:00:05Z') + attempt * 3_600_000);
      await createHandler(deps({ now, sleep, env }))(EVENT);
      tokens.push(athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input.ClientRequestToken));
      athena.reset();
    }
    expect(tokens[1]).toEqual(tokens[0]);
    expect(tokens[0]).toHaveLength(2);
  });
});

describe('an empty window is a real result (mocks)', () => {
  it('row_count.min fails, completeness is not evaluated (no value, no CheckFailed), freshness fails; the run itself succeeds', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({
      events: {
        row: { row_count: '0', completeness__event: null, completeness__user_id: null, completeness__event_time: null, bad_format__event: '0', newest_epoch_seconds: null },
      },
    });
    const report = await createHandler(deps({ env }))(EVENT);

    expect(report.datasets[0].results?.map((result) => [result.id, result.value, result.status])).toEqual([
      ['row_count.min', 0, 'failed'],
      ['completeness.event', null, 'not_evaluated'],
      ['completeness.user_id', null, 'not_evaluated'],
      ['completeness.event_time', null, 'not_evaluated'],
      ['format.event', null, 'not_evaluated'],
      ['freshness.event_time', null, 'failed'],
    ]);
    expect(report.failedChecks).toEqual(['events:row_count.min', 'events:freshness.event_time']);
    expect(publishedLines()).toEqual([
      'QueryFailed{events}=0',
      'RowCount{events}=0',
      'CheckValue{events,row_count.min}=0',
      'CheckFailed{events,row_count.min}=1',
      'CheckFailed{events,freshness.event_time}=1',
    ]);
    // History: every check, none passed; no value where nothing was measured.
    const sql = historyStatements()[0].QueryString ?? '';
    expect(sql).toContain(`'events', 'row_count.min', 'row_count', 0E+0, 1E+0, FALSE, 'q-events'`);
    expect(sql).toContain(`'events', 'completeness.user_id', 'completeness', CAST(NULL AS double), 9.9E-1, FALSE, 'q-events'`);
    expect(sql).not.toContain('TRUE');
  });
});

describe('reading the listed tables (mocks)', () => {
  /** The quality queries sent to Athena: SQL, workgroup and database. */
  const qualityQueries = () =>
    athena
      .commandCalls(StartQueryExecutionCommand)
      .map((call) => call.args[0].input)
      .filter((input) => !input.QueryString?.startsWith('INSERT'))
      .map((input) => [input.QueryString, input.WorkGroup, input.QueryExecutionContext?.Database]);
  /** The datums published for one dataset. */
  const linesOf = (dataset: string) => publishedLines().filter((line) => line.includes(`{${dataset}}`) || line.includes(`{${dataset},`));

  it('reads exactly the listed tables, one GetTable each, and queries each in its own database', async () => {
    const env = catalog(tableOf(events), tableOf(clientErrors, CURATED));
    fakeAthena({ events: { row: GOOD_EVENTS }, client_errors: { row: GOOD_CLIENT_ERRORS } });
    const report = await createHandler(deps({ env }))(EVENT);

    expect(tablesRead()).toEqual([`${RAW}.events`, `${CURATED}.client_errors`]);
    expect(report.datasets.map((outcome) => [outcome.dataset, outcome.database, outcome.table, outcome.failure ?? 'checked'])).toEqual([
      ['events', RAW, 'events', 'checked'],
      ['client_errors', CURATED, 'client_errors', 'checked'],
    ]);
    // The quality queries are exactly the compiled ones, in the table's database and the workgroup.
    expect(qualityQueries()).toEqual([
      [compileQualityQuery(events, { database: RAW, window: checkWindow(events, new Date(RUN_TIME)) }), WORKGROUP, RAW],
      [compileQualityQuery(clientErrors, { database: CURATED, window: checkWindow(clientErrors, new Date(RUN_TIME)) }), WORKGROUP, CURATED],
    ]);
    expect(report.failedChecks).toEqual(['client_errors:completeness.app_version']);
  });

  it('a listed table that does not exist (or whose database does not) fails the run naming it; the other tables are still checked', async () => {
    catalog(tableOf(events), tableOf(clientErrors));
    glue
      .on(GetTableCommand, { DatabaseName: RAW, Name: 'gone' })
      .rejects(new EntityNotFoundException({ message: 'Table gone not found.', $metadata: {} }))
      .on(GetTableCommand, { DatabaseName: 'lakehouse_test_gone', Name: 'orders' })
      .rejects(new EntityNotFoundException({ message: 'Database lakehouse_test_gone not found.', $metadata: {} }));
    const env = listing([RAW, 'events'], [RAW, 'gone'], [RAW, 'client_errors'], ['lakehouse_test_gone', 'orders']);
    fakeAthena({ events: { row: GOOD_EVENTS }, client_errors: { row: GOOD_CLIENT_ERRORS } });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));

    expect(tablesRead()).toEqual([`${RAW}.events`, `${RAW}.gone`, `${RAW}.client_errors`, 'lakehouse_test_gone.orders']);
    expect(error.message).toBe(
      'Data-quality run run-0001 failed: 2 dataset(s) could not be checked: ' +
        'gone (table lakehouse_test_raw.gone was not found in the Glue catalog: EntityNotFoundException: Table gone not found.); ' +
        'orders (table lakehouse_test_gone.orders was not found in the Glue catalog: EntityNotFoundException: Database lakehouse_test_gone not found.)',
    );
    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure ?? 'checked'])).toEqual([
      ['events', 'checked'],
      ['gone', 'ERROR'],
      ['client_errors', 'checked'],
      ['orders', 'ERROR'],
    ]);
    expect(linesOf('gone')).toEqual(['QueryFailed{gone}=1']);
    expect(linesOf('orders')).toEqual(['QueryFailed{orders}=1']);
    expect(linesOf('events')).toContain('CheckFailed{events,completeness.user_id}=0');
    expect(linesOf('client_errors')).toContain('CheckFailed{client_errors,completeness.app_version}=1');
    expect(qualityQueries().map(([, , database]) => database)).toEqual([RAW, RAW]);
    const [insert] = historyStatements();
    expect(insert.QueryString).not.toMatch(/'gone'|'orders'/);
    expect(insert.QueryString?.match(/'events'/g)).toHaveLength(6);
  });

  it('a listed table without a lakehouse.contract parameter is not skipped: QueryFailed=1, nothing queried, the run fails naming it', async () => {
    const env = catalog({ Name: 'scratch', DatabaseName: RAW, Parameters: { classification: 'csv' } }, { Name: 'no_params', DatabaseName: RAW });
    const error = await runExpectingFailure(createHandler(deps({ env }))({}));

    expect(tablesRead()).toEqual([`${RAW}.scratch`, `${RAW}.no_params`]);
    expect(error.report.runId).toMatch(/^[0-9a-f-]{36}$/); // no event id: a generated one
    expect(error.message).toBe(
      `Data-quality run ${error.report.runId} failed: 2 dataset(s) could not be checked: ` +
        'scratch (table lakehouse_test_raw.scratch has no lakehouse.contract parameter); no_params (table lakehouse_test_raw.no_params has no lakehouse.contract parameter)',
    );
    expect(publishedLines()).toEqual(['QueryFailed{scratch}=1', 'QueryFailed{no_params}=1']);
    expect(athena.calls()).toHaveLength(0); // no quality query, and no history without measurements
  });

  it('a contract that is not JSON or not an object fails its dataset; the others are still checked', async () => {
    const env = catalog(
      { Name: 'broken', DatabaseName: RAW, Parameters: { [CONTRACT_PARAMETER]: '{"name": "broken"' } },
      tableOf(events),
      { Name: 'listed', DatabaseName: RAW, Parameters: { [CONTRACT_PARAMETER]: '["events"]' } },
    );
    fakeAthena({ events: { row: GOOD_EVENTS } });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));

    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure ?? 'checked'])).toEqual([
      ['broken', 'ERROR'],
      ['events', 'checked'],
      ['listed', 'ERROR'],
    ]);
    expect(error.problems).toHaveLength(1);
    // JSON.parse's own message varies by Node version (Node 24 adds "(line 1 column 18)"), so match up to the next dataset.
    expect(error.problems[0]).toMatch(/^2 dataset\(s\) could not be checked: broken \(the lakehouse.contract parameter of lakehouse_test_raw.broken is not JSON: .+\); listed \(/);
    expect(error.problems[0]).toMatch(/; listed \(the lakehouse.contract parameter of lakehouse_test_raw.listed is not a dataset contract object\)$/);
    expect(linesOf('broken')).toEqual(['QueryFailed{broken}=1']);
    expect(linesOf('listed')).toEqual(['QueryFailed{listed}=1']);
    expect(linesOf('events')).toContain('QueryFailed{events}=0');
    expect(qualityQueries()).toHaveLength(1);
  });

  it('a GetTable call that fails otherwise (access denied, no table in the answer) fails its dataset; the others are still checked', async () => {
    catalog(tableOf(events));
    glue
      .on(GetTableCommand, { DatabaseName: RAW, Name: 'locked' })
      .rejects(new AccessDeniedException({ message: 'User is not authorized to perform glue:GetTable', $metadata: {} }))
      .on(GetTableCommand, { DatabaseName: RAW, Name: 'hollow' })
      .resolves({});
    const env = listing([RAW, 'locked'], [RAW, 'hollow'], [RAW, 'events']);
    fakeAthena({ events: { row: GOOD_EVENTS } });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));

    expect(tablesRead()).toEqual([`${RAW}.locked`, `${RAW}.hollow`, `${RAW}.events`]);
    expect(error.problems).toEqual([
      '2 dataset(s) could not be checked: locked (table lakehouse_test_raw.locked could not be read: AccessDeniedException: User is not authorized to perform glue:GetTable); ' +
        'hollow (table lakehouse_test_raw.hollow could not be read: Glue GetTable returned no table)',
    ]);
    expect(linesOf('locked')).toEqual(['QueryFailed{locked}=1']);
    expect(linesOf('hollow')).toEqual(['QueryFailed{hollow}=1']);
    expect(error.report.datasets[2]).toMatchObject({ dataset: 'events', queryExecutionId: 'q-events' });
    expect(error.report.datasets[2].failure).toBeUndefined();
  });

  it('a contract whose checks cannot be compiled (injected key) or that fails validation is a failed dataset', async () => {
    const injected: DatasetDefinition = {
      ...clientErrors,
      name: 'tenant_errors',
      partitioning: { ...clientErrors.partitioning, keys: [{ kind: 'injected', name: 'tenant', sourceField: 'tenant' }] },
    };
    const env = catalog(tableOf(injected), {
      Name: 'invalid',
      DatabaseName: RAW,
      Parameters: { [CONTRACT_PARAMETER]: JSON.stringify({ ...events, name: 'invalid', freshnessSloMinutes: -1 }) },
    });
    fakeAthena({});
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure])).toEqual([
      ['tenant_errors', 'ERROR'],
      ['invalid', 'ERROR'],
    ]);
    expect(error.message).toContain('tenant_errors (its checks cannot be compiled: dataset "tenant_errors": injected partition key(s) tenant');
    expect(error.message).toContain('invalid (the contract of lakehouse_test_raw.invalid is invalid: freshnessSloMinutes: -1 is not a positive number of minutes)');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('publishing and history limits and failures (mocks)', () => {
  const wide: DatasetDefinition = {
    ...clientErrors,
    name: 'wide',
    columns: Array.from({ length: 600 }, (_, index) => ({ name: `c${index}`, type: 'string', description: 'c', classification: 'internal' as const })),
    quality: { rowCount: { min: 0 } },
    dataSubject: undefined,
  };
  const wideRow = Object.fromEntries([['row_count', '10'], ...wide.columns.map((column) => [`completeness__${column.name}`, '1.0'])]);

  it('at most 1000 datums per PutMetricData and 500 rows per history INSERT', async () => {
    const env = catalog(tableOf(wide));
    fakeAthena({ wide: { row: wideRow } });
    const report = await createHandler(deps({ env }))(EVENT);
    const calls = cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input.MetricData?.length);
    expect(calls).toEqual([1000, 204]); // 2 dataset datums + 601 checks × 2
    expect(report.metricsPublished).toBe(1204);
    expect(historyStatements().map((input) => (input.QueryString?.match(/\n {2}\('/g) ?? []).length)).toEqual([500, 101]);
    expect(report.historyQueryExecutionIds).toEqual(['q-history-1', 'q-history-2']);
    expect(historyStatements().every((input) => input.QueryString?.length !== undefined && input.QueryString.length < 262_144)).toBe(true);
  });

  it('a PutMetricData error fails the run, after the history insert', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { row: GOOD_EVENTS } });
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('AccessDenied: cloudwatch:PutMetricData'));
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.problems).toEqual(['could not publish 15 metric datum(s) to Lakehouse/DataQuality: Error: AccessDenied: cloudwatch:PutMetricData']);
    expect(historyStatements()).toHaveLength(1);
  });

  it('a FAILED history insert fails the run', async () => {
    const env = catalog(tableOf(events));
    fakeAthena({ events: { row: GOOD_EVENTS }, 'history-1': { states: ['FAILED'], reason: 'ICEBERG_COMMIT_ERROR' } });
    const error = await runExpectingFailure(createHandler(deps({ env }))(EVENT));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^could not append 6 row\(s\) to lakehouse_test_operations.data_quality_results: AthenaQueryError: .*FAILED: ICEBERG_COMMIT_ERROR$/);
    expect(publishedLines()).toContain('QueryFailed{events}=0'); // the dataset itself was checked
  });

  it('checks datasets concurrently, at most QUERY_CONCURRENCY at once, keeping their order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([1, 2, 3, 4, 5], 2, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 * (6 - item)));
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('configuration and result parsing', () => {
  it('readConfig reads every variable and names every problem', () => {
    expect(readConfig({ ...ENV, QUERY_TIMEOUT_MS: '60000', QUERY_CONCURRENCY: '2' })).toEqual({
      workGroup: WORKGROUP,
      tables: [{ database: RAW, table: 'events' }],
      historyDatabase: HISTORY,
      metricNamespace: NAMESPACE,
      environment: 'test',
      queryTimeoutMs: 60_000,
      concurrency: 2,
      lineageJobNamespace: 'test',
    });
    expect(readConfig(ENV)).toMatchObject({ queryTimeoutMs: 300_000, concurrency: 3 });
    expect(readConfig({ ...ENV, LINEAGE_DATABASE: 'lakehouse_test_analytics', LINEAGE_JOB_NAMESPACE: 'lakehouse-test' })).toMatchObject({
      lineageDatabase: 'lakehouse_test_analytics',
      lineageJobNamespace: 'lakehouse-test',
    });
    expect(() => readConfig({ ...ENV, LINEAGE_DATABASE: 'x"; DROP' })).toThrow(/LINEAGE_DATABASE must be a Glue database name .*got "x"; DROP"/);
    expect(() => readConfig({})).toThrow(
      'Data-quality function misconfigured: WORKGROUP is not set; HISTORY_DATABASE is not set; METRIC_NAMESPACE is not set; ENVIRONMENT is not set; TABLES is not set',
    );
    expect(() => readConfig({ ...ENV, QUERY_TIMEOUT_MS: '-5', QUERY_CONCURRENCY: '1.5' })).toThrow(
      /QUERY_TIMEOUT_MS must be a positive integer, got "-5"; QUERY_CONCURRENCY must be a positive integer, got "1.5"/,
    );
  });

  it('readConfig keeps the listed tables in order and drops duplicates (a table is its database and name)', () => {
    const tables = [
      { database: RAW, table: 'events' },
      { database: CURATED, table: 'events' },
      { database: RAW, table: 'client_errors' },
      { database: RAW, table: 'events' },
      { table: 'client_errors', database: RAW, note: 'extra keys are ignored' },
    ];
    expect(readConfig({ ...ENV, TABLES: JSON.stringify(tables) }).tables).toEqual([
      { database: RAW, table: 'events' },
      { database: CURATED, table: 'events' },
      { database: RAW, table: 'client_errors' },
    ]);
  });

  const TABLES_PROBLEM = 'Data-quality function misconfigured: TABLES must be a JSON array of the Glue tables to check, e.g. [{"database":"lakehouse_dev_raw","table":"events"}]';
  it.each([
    ['an empty array', '[]', 'not a non-empty array'],
    ['an object, not an array', JSON.stringify({ database: RAW, table: 'events' }), 'not a non-empty array'],
    ['an element without table', JSON.stringify([{ database: RAW, table: 'events' }, { database: RAW }]), 'element 1 has no non-empty string "table"'],
    ['an element with an empty table', JSON.stringify([{ database: RAW, table: ' ' }]), 'element 0 has no non-empty string "table"'],
    ['an element whose database is not a string', JSON.stringify([{ database: 7, table: 'events' }]), 'element 0 has no non-empty string "database"'],
    ['an element that is a name, not an object', JSON.stringify(['lakehouse_test_raw.events']), 'element 0 is not an object'],
    ['an element that is null', '[null]', 'element 0 is not an object'],
    ['an element that is an array', JSON.stringify([[RAW, 'events']]), 'element 0 is not an object'],
  ])('readConfig refuses TABLES that is %s', (_, value, reason) => {
    expect(() => readConfig({ ...ENV, TABLES: value })).toThrow(`${TABLES_PROBLEM} (${reason})`);
  });

  it('readConfig refuses TABLES that is not JSON, with the example, alongside the other problems', () => {
    let message = '';
    try {
      readConfig({ ...ENV, WORKGROUP: '', TABLES: 'lakehouse_test_raw.events' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /^Data-quality function misconfigured: WORKGROUP is not set; TABLES must be a JSON array of the Glue tables to check, e\.g\. \[\{"database":"lakehouse_dev_raw","table":"events"\}\] \(not JSON: .+\)$/,
    );
  });

  it('the exported Lambda entry point reads process.env and fails fast, before any AWS call, when misconfigured', async () => {
    const saved = process.env.WORKGROUP;
    delete process.env.WORKGROUP;
    try {
      await expect(handler({})).rejects.toThrow(/WORKGROUP is not set/);
    } finally {
      if (saved !== undefined) process.env.WORKGROUP = saved;
    }
  });

  it('metricRow drops Athena’s header row, reads a missing value as NULL, and works without column info', () => {
    expect(metricRow(['row_count', 'x'], [['row_count', 'x'], ['3', undefined]])).toEqual({ row_count: 3, x: null });
    expect(metricRow(['row_count'], [['3']])).toEqual({ row_count: 3 });
    expect(metricRow(undefined, [['row_count', 'share'], ['3', '9.99E-1']])).toEqual({ row_count: 3, share: 0.999 });
    expect(() => metricRow(undefined, [])).toThrow(/neither columns nor rows/);
    expect(() => metricRow(['a', 'b'], [['1']])).toThrow(/1 values for 2 columns/);
    expect(() => metricRow(['a'], [['a']])).toThrow(/returned 0 data rows/);
    expect(() => metricRow(['a'], [[' ']])).toThrow(/column a is " ", not a number/);
  });

  it('parseContract accepts what the synth writes and refuses anything else', () => {
    expect(parseContract(JSON.stringify(events), 'db.events')).toEqual(events);
    expect(() => parseContract('[1]', 'db.t')).toThrow(/is not a dataset contract object/);
    expect(() => parseContract('null', 'db.t')).toThrow(/is not a dataset contract object/);
    expect(() => parseContract('{"name":"t"}', 'db.t')).toThrow(/the contract of db.t is invalid/);
  });
});
