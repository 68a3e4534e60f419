/**
 * The data-quality function's targeted runs, as the daily pipeline invokes them (mocked SDK clients, fake
 * clock): a `check` of named datasets over one day's partitions, a `readiness` probe, an Iceberg table whose
 * contract comes from the shipped contracts file, and refused requests. The SQL itself runs on DuckDB in
 * test/local-lake/day-run.test.ts.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetTableCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, describe, expect, it } from 'vitest';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { contractsFileText, readContractsFile } from '../../constructs/data-quality/contracts-file';
import { dayRunAsOf, dayWindow, DayRunRequestError, judgeReadiness, parseDayRunRequest } from '../../constructs/data-quality/day-run';
import { createHandler, DataQualityRunError, type DataQualityDependencies } from '../../constructs/data-quality/handler';
import { parquetTableParameters } from '../../constructs/datasets';
import { CREDENTIALS } from './support';

const REGION = 'us-east-1';
const RAW = 'lakehouse_test_raw';
const ANALYTICS = 'lakehouse_test_analytics';
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

const TABLES = [
  { database: RAW, table: 'events' },
  { database: ANALYTICS, table: 'daily_active_users' },
];
const contractsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-contracts-'));
const CONTRACTS_FILE = path.join(contractsDir, 'contracts.json');
fs.writeFileSync(CONTRACTS_FILE, contractsFileText([{ database: ANALYTICS, table: 'daily_active_users', contract: dailyActiveUsers }]));
const ENV = {
  WORKGROUP: 'wg',
  TABLES: JSON.stringify(TABLES),
  HISTORY_DATABASE: ANALYTICS,
  METRIC_NAMESPACE: 'Lakehouse/DataQuality',
  ENVIRONMENT: 'test',
  CONTRACTS_FILE,
};
const NOW = Date.parse('2026-11-23T01:40:00Z');
const epoch = (iso: string) => String(Date.parse(iso) / 1000);

/** Glue: events carries its contract as a parameter; the Iceberg table carries none (as Athena creates it). */
function catalog(): void {
  const tables: Table[] = [
    { Name: 'events', DatabaseName: RAW, Parameters: parquetTableParameters(events, 'lakehouse-test-raw') },
    { Name: 'daily_active_users', DatabaseName: ANALYTICS, Parameters: { table_type: 'ICEBERG' } },
  ];
  for (const table of tables) glue.on(GetTableCommand, { DatabaseName: table.DatabaseName, Name: table.Name }).resolves({ Table: table });
}

/** Athena answers each table's query with the given row; history inserts succeed. */
function fakeAthena(rows: Readonly<Record<string, Readonly<Record<string, string | null>>>>): string[] {
  const queries: string[] = [];
  athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString: string }) => {
    queries.push(input.QueryString);
    const table = /FROM "[^"]+"\."([^"]+)"/.exec(input.QueryString)?.[1] ?? 'history';
    return { QueryExecutionId: `q-${table}` };
  });
  athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({ QueryExecution: { QueryExecutionId: input.QueryExecutionId, Status: { State: 'SUCCEEDED' } } }));
  athena.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId: string }) => {
    const row = rows[input.QueryExecutionId.replace(/^q-/, '')] ?? {};
    const names = Object.keys(row);
    return {
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: names.map((name) => ({ Name: name, Label: name, Type: 'varchar' })) },
        Rows: [{ Data: names.map((name) => ({ VarCharValue: name })) }, { Data: names.map((name) => (row[name] === null ? {} : { VarCharValue: row[name] as string })) }],
      },
    };
  });
  cloudwatch.on(PutMetricDataCommand).resolves({});
  return queries;
}

const deps = (): DataQualityDependencies => ({ glue: glueClient, athena: athenaClient, cloudwatch: cloudwatchClient, env: ENV, now: () => NOW, sleep: async () => undefined, log: () => undefined });

describe('requests', () => {
  it('a well-formed request is read as it is, datasets deduplicated', () => {
    expect(parseDayRunRequest({ action: 'check', day: '2026-11-22', datasets: ['events', 'events'] })).toEqual({ action: 'check', day: '2026-11-22', datasets: ['events'] });
  });

  it.each([
    [{ action: 'drop', day: '2026-11-22', datasets: ['events'] }, /action is "drop"; allowed: check, readiness/],
    [{ action: 'check', day: '2026-02-30', datasets: ['events'] }, /day is "2026-02-30"; allowed: a calendar date/],
    [{ action: 'check', day: "2026-11-22'; DROP", datasets: ['events'] }, /day is/],
    [{ action: 'check', day: '2026-11-22', datasets: [] }, /datasets is \[\]/],
    [{ action: 'check', day: '2026-11-22', datasets: ['a"b'] }, /datasets has "a\\"b"/],
    [{ action: 'readiness' }, /day is undefined.*datasets is undefined/],
  ])('%j is refused', (event, message) => {
    expect(() => parseDayRunRequest(event)).toThrow(DayRunRequestError);
    expect(() => parseDayRunRequest(event)).toThrow(message);
  });

  it('a dataset the function does not check is refused before any query runs', async () => {
    catalog();
    const queries = fakeAthena({});
    await expect(createHandler(deps())({ action: 'check', day: '2026-11-22', datasets: ['orders'] })).rejects.toThrow(
      'datasets orders are not checked by this function; allowed: events, daily_active_users',
    );
    expect(queries).toEqual([]);
  });
});

describe('windows', () => {
  it('a day of an hourly dataset is that day; of a monthly one, its calendar month and the one before', () => {
    expect(dayWindow(events, '2026-11-22')).toEqual({ granularity: 'hour', first: '2026-11-22', last: '2026-11-22', start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' });
    expect(dayWindow(dailyActiveUsers, '2026-12-31')).toEqual({ granularity: 'month', first: '2026-11', last: '2026-12', start: '2026-11-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(dayWindow(dailyActiveUsers, '2027-01-01')).toMatchObject({ first: '2026-12', last: '2027-01', start: '2026-12-01T00:00:00.000Z' });
  });

  it('a day run judges freshness at the end of the day, or now when the day is not over', () => {
    expect(dayRunAsOf('2026-11-01', NOW).toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(dayRunAsOf('2026-11-23', NOW).toISOString()).toBe('2026-11-23T01:40:00.000Z');
  });

  it('readiness needs both the clock and the newest record past their bounds', () => {
    const at = (iso: string) => Date.parse(iso);
    const newest = Number(epoch('2026-11-23T00:10:00Z'));
    expect(judgeReadiness(events, '2026-11-22', newest, at('2026-11-23T00:05:00Z')).ready).toBe(true);
    expect(judgeReadiness(events, '2026-11-22', newest, at('2026-11-23T00:04:59Z')).ready).toBe(false);
    expect(judgeReadiness(events, '2026-11-22', Number(epoch('2026-11-22T23:55:00Z')), at('2026-11-23T06:00:00Z')).ready).toBe(true);
    expect(judgeReadiness(events, '2026-11-22', Number(epoch('2026-11-22T23:54:59Z')), at('2026-11-23T06:00:00Z')).ready).toBe(false);
  });
});

describe('targeted runs (mocks)', () => {
  it('check: only the named datasets, over the day, with passed=false and the failed checks when a check fails', async () => {
    catalog();
    const queries = fakeAthena({
      events: { row_count: '1000', completeness__event: '1', completeness__user_id: '0.5', completeness__event_time: '1', bad_format__event: '0', newest_epoch_seconds: epoch('2026-11-22T23:59:00Z') },
    });
    const report = await createHandler(deps())({ action: 'check', day: '2026-11-22', datasets: ['events'], id: 'exec-1-CheckInputQuality' });
    expect(report).toMatchObject({ runId: 'exec-1-CheckInputQuality', day: '2026-11-22', passed: false, failedChecks: ['events:completeness.user_id'] });
    expect(report.datasets.map((dataset) => dataset.table)).toEqual(['events']);
    expect(queries[0]).toContain(`WHERE "dt" BETWEEN '2026-11-22' AND '2026-11-22'`);
    // Freshness judged at the end of the day: 60 s, not the 1 h 41 min to the run time.
    expect(report.datasets[0].results?.find((result) => result.kind === 'freshness')).toMatchObject({ value: 60, status: 'passed' });
    expect(glue.commandCalls(GetTableCommand).map((call) => call.args[0].input.Name)).toEqual(['events']);
  });

  it('check of an Iceberg table: its contract comes from the contracts file, its window is two months on the date column', async () => {
    catalog();
    const queries = fakeAthena({
      daily_active_users: { row_count: '22', completeness__activity_date: '1', duplicate_keys: '0', out_of_range__active_users: '0', newest_epoch_seconds: epoch('2026-11-23T00:00:00Z') },
    });
    const report = await createHandler(deps())({ action: 'check', day: '2026-11-22', datasets: ['daily_active_users'] });
    expect(report).toMatchObject({ passed: true, failedChecks: [] });
    expect(queries[0]).toContain(`FROM "${ANALYTICS}"."daily_active_users"\nWHERE "activity_date" BETWEEN DATE '2026-10-01' AND DATE '2026-11-30'`);
  });

  it('readiness: one query per dataset over the day and the next; ready when every dataset is', async () => {
    catalog();
    const queries = fakeAthena({ events: { newest_epoch_seconds: epoch('2026-11-23T01:30:00Z') }, daily_active_users: { newest_epoch_seconds: null } });
    const ready = await createHandler(deps())({ action: 'readiness', day: '2026-11-22', datasets: ['events'] });
    expect(ready).toEqual({
      day: '2026-11-22',
      ready: true,
      datasets: [{ dataset: 'events', ready: true, newest: '2026-11-23T01:30:00.000Z', newestAtLeast: '2026-11-22T23:55:00.000Z', notBefore: '2026-11-23T00:05:00.000Z' }],
    });
    expect(queries).toEqual([`SELECT to_unixtime(max("event_time")) AS "newest_epoch_seconds"\nFROM "${RAW}"."events"\nWHERE "dt" BETWEEN '2026-11-22' AND '2026-11-23'`]);
    const both = await createHandler(deps())({ action: 'readiness', day: '2026-11-22', datasets: ['events', 'daily_active_users'] });
    expect(both.ready).toBe(false);
    expect(both.datasets[1]).toMatchObject({ dataset: 'daily_active_users', ready: false, newest: null });
    // Readiness publishes nothing and writes no history.
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('readiness of a table that cannot be read fails the invocation (the pipeline retries it)', async () => {
    glue.on(GetTableCommand).rejects(Object.assign(new Error('no such table'), { name: 'EntityNotFoundException' }));
    fakeAthena({});
    const run = createHandler(deps())({ action: 'readiness', day: '2026-11-22', datasets: ['events'] });
    await expect(run).rejects.toBeInstanceOf(DataQualityRunError);
    await expect(createHandler(deps())({ action: 'readiness', day: '2026-11-22', datasets: ['events'] })).rejects.toThrow(/Readiness of 2026-11-22 could not be judged: lakehouse_test_raw.events: table .* was not found/);
  });
});

describe('contracts file', () => {
  it('reads contracts by database.table and refuses a file that is not an object', () => {
    expect(JSON.parse(readContractsFile(CONTRACTS_FILE).get(`${ANALYTICS}.daily_active_users`) as string)).toEqual(JSON.parse(JSON.stringify(dailyActiveUsers)));
    expect(() => readContractsFile('/nowhere/contracts.json', () => '[1]')).toThrow('contracts file /nowhere/contracts.json is not an object');
    expect(() => readContractsFile('/nowhere/broken.json', () => '{')).toThrow(/could not be read as JSON/);
  });
});
