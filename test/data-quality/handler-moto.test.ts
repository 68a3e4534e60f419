import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
} from '@aws-sdk/client-athena';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { contractsFileText } from '../../constructs/data-quality/contracts-file';
import { dayWindow, readinessQuery } from '../../constructs/data-quality/day-run';
import { glueColumns, gluePartitionKeys, parquetTableParameters, type DatasetDefinition } from '../../constructs/datasets';
import { createHandler, DataQualityRunError, type RunReport } from '../../constructs/data-quality/handler';
import { checkWindow, compileQualityQuery, historyInsert, historyRows } from '../../constructs/data-quality/sql';
import { clientErrors } from '../../config/datasets/client-errors';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';
import { CREDENTIALS, startMoto, type Moto } from './support';

/**
 * The handler against a real moto server, over the real wire protocols:
 * - Glue: databases and tables are created through the API with the parameters the synth writes
 *   (`parquetTableParameters`, so `lakehouse.contract` included); the handler reads the tables listed in
 *   its `TABLES` with GetTable, one call per table (a missing table and one without a contract included);
 * - Athena: StartQueryExecution / GetQueryExecution / GetQueryResults in a real workgroup; moto runs no
 *   SQL, so each query's result row is seeded through moto's API (in start order); what the handler sent
 *   is read back with ListQueryExecutions / GetQueryExecution;
 * - CloudWatch: PutMetricData, read back with ListMetrics and GetMetricData.
 * What moto cannot produce (FAILED, CANCELLED, timeouts, throttling, an empty window) is in
 * handler-mock.test.ts. Each test uses its own region, so each gets fresh moto backends.
 */

const WORKGROUP = 'lakehouse-test-dq';
const RAW = 'lakehouse_test_raw';
const CURATED = 'lakehouse_test_curated';
const HISTORY = 'lakehouse_test_operations';
const ANALYTICS = 'lakehouse_test_analytics';
const NAMESPACE = 'Lakehouse/DataQuality';
const REGIONS = ['eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1'];

describe('data-quality handler against moto (Glue, Athena, CloudWatch)', () => {
  let moto: Moto;
  let regionIndex = 0;

  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  /** `tables`: what the function's TABLES lists, as `[database, table]`. */
  function setUp(tables: ReadonlyArray<readonly [database: string, table: string]>) {
    const region = REGIONS[regionIndex++];
    const config = { endpoint: moto.endpoint, region, credentials: CREDENTIALS };
    const glue = new GlueClient(config);
    const athena = new AthenaClient(config);
    const cloudwatch = new CloudWatchClient(config);
    const env = {
      WORKGROUP,
      TABLES: JSON.stringify(tables.map(([database, table]) => ({ database, table }))),
      HISTORY_DATABASE: HISTORY,
      METRIC_NAMESPACE: NAMESPACE,
      ENVIRONMENT: 'test',
      QUERY_CONCURRENCY: '1', // moto hands seeded results out in start order
    };
    const run = (event: { id: string; time: string }) =>
      createHandler({ glue, athena, cloudwatch, env, initialPollDelayMs: 10, maxPollDelayMs: 50, log: () => undefined })(event);

    async function catalog(tables: Array<[string, DatasetDefinition]>, others: string[] = []) {
      for (const database of [RAW, CURATED]) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
      for (const [database, dataset] of tables) {
        await glue.send(
          new CreateTableCommand({
            DatabaseName: database,
            TableInput: {
              Name: dataset.name,
              TableType: 'EXTERNAL_TABLE',
              Parameters: parquetTableParameters(dataset, `lakehouse-test-${dataset.zone}`),
              StorageDescriptor: { Columns: glueColumns(dataset).map((column) => ({ Name: column.name, Type: column.type, Comment: column.comment })), Location: `s3://lakehouse-test-${dataset.zone}/${dataset.name}/` },
              PartitionKeys: gluePartitionKeys(dataset).map((column) => ({ Name: column.name, Type: column.type })),
            },
          }),
        );
      }
      for (const name of others) {
        await glue.send(new CreateTableCommand({ DatabaseName: RAW, TableInput: { Name: name, Parameters: { classification: 'csv' }, StorageDescriptor: { Columns: [{ Name: 'x', Type: 'string' }] } } }));
      }
      await athena.send(new CreateWorkGroupCommand({ Name: WORKGROUP }));
    }

    /** What moto recorded in the workgroup: query, database, in start order. */
    async function executions() {
      const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }));
      return Promise.all(
        QueryExecutionIds.map(async (id) => {
          const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
          return { id, query: QueryExecution?.Query ?? '', database: QueryExecution?.QueryExecutionContext?.Database, workGroup: QueryExecution?.WorkGroup };
        }),
      );
    }

    /** Every metric in the namespace as `Name{Dataset,Check}`. */
    async function metricNames(): Promise<string[]> {
      const names: string[] = [];
      let next: string | undefined;
      do {
        const page = await cloudwatch.send(new ListMetricsCommand({ Namespace: NAMESPACE, NextToken: next }));
        for (const metric of page.Metrics ?? []) {
          const dims = Object.fromEntries((metric.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));
          expect(dims.Environment).toBe('test');
          names.push(`${metric.MetricName}{${dims.Dataset}${dims.Check ? `,${dims.Check}` : ''}}`);
        }
        next = page.NextToken;
      } while (next);
      return names.sort();
    }

    /** The values CloudWatch stored for one metric and dataset (and check). */
    async function values(metricName: string, dataset: string, at: Date, check?: string): Promise<number[]> {
      const dimensions: Dimension[] = [
        { Name: 'Environment', Value: 'test' },
        { Name: 'Dataset', Value: dataset },
        ...(check ? [{ Name: 'Check', Value: check }] : []),
      ];
      const { MetricDataResults = [] } = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(at.getTime() - 10 * 60_000),
          EndTime: new Date(at.getTime() + 10 * 60_000),
          MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: dimensions }, Period: 60, Stat: 'Maximum' } }],
        }),
      );
      return MetricDataResults[0]?.Values ?? [];
    }

    return { region, glue, athena, cloudwatch, run, catalog, executions, metricNames, values };
  }

  it('reads the listed tables, runs the compiled query per dataset, publishes metrics and appends history', async () => {
    // scratch (no contract) exists in the catalog but is not listed: it is not read.
    const aws = setUp([[RAW, events.name], [RAW, clientErrors.name], [CURATED, documents.name]]);
    await aws.catalog([[RAW, events], [RAW, clientErrors], [CURATED, documents]], ['scratch']);
    const runTime = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000); // a whole minute, just past
    const ago = (seconds: number) => String(runTime.getTime() / 1000 - seconds);
    await moto.seedAthenaResults(aws.region, [
      {
        columns: ['row_count', 'completeness__event', 'completeness__user_id', 'completeness__event_time', 'bad_format__event', 'newest_epoch_seconds'],
        rows: [['1000', '1.0', '0.995', '1.0', '0', ago(120)]],
      },
      {
        columns: ['row_count', 'completeness__error_id', 'completeness__app_version', 'duplicate_keys', 'newest_epoch_seconds'],
        rows: [['40', '1.0', '0.99', '0', ago(60)]],
      },
      {
        columns: ['row_count', 'completeness__document_id', 'completeness__content', 'duplicate_keys', 'newest_epoch_seconds'],
        rows: [['12', '1.0', '0.5', '2', ago(1800)]],
      },
    ]);

    const report: RunReport = await aws.run({ id: 'moto-run-1', time: runTime.toISOString() });

    // What the handler concluded.
    expect(report.datasets.map((outcome) => `${outcome.database}.${outcome.dataset}`)).toEqual([`${RAW}.events`, `${RAW}.client_errors`, `${CURATED}.documents`]);
    expect(report.failedChecks).toEqual(['documents:completeness.content', 'documents:uniqueness.document_id+updated_at']);
    expect(report.datasets[2].results?.find((result) => result.kind === 'uniqueness')?.value).toBeCloseTo(2 / 12);

    // What Athena was asked: the compiled queries in the tables' databases, then one history insert.
    const recorded = await aws.executions();
    const window = (dataset: DatasetDefinition) => checkWindow(dataset, runTime);
    const rows = report.datasets.flatMap((outcome) => historyRows({ runId: 'moto-run-1', checkedAt: runTime }, outcome.dataset, outcome.results ?? [], outcome.queryExecutionId ?? ''));
    expect(rows).toHaveLength(6 + 5 + 5);
    expect(recorded.map((execution) => [execution.query, execution.database, execution.workGroup])).toEqual([
      [compileQualityQuery(events, { database: RAW, window: window(events) }), RAW, WORKGROUP],
      [compileQualityQuery(clientErrors, { database: RAW, window: window(clientErrors) }), RAW, WORKGROUP],
      [compileQualityQuery(documents, { database: CURATED, window: window(documents) }), CURATED, WORKGROUP],
      [historyInsert(HISTORY, rows), HISTORY, WORKGROUP],
    ]);
    expect(report.datasets.map((outcome) => outcome.queryExecutionId)).toEqual(recorded.slice(0, 3).map((execution) => execution.id));
    expect(report.historyQueryExecutionIds).toEqual([recorded[3].id]);
    expect(recorded[3].query).toContain(`'moto-run-1', TIMESTAMP '${runTime.toISOString().replace('T', ' ').replace('Z', '')}', 'documents', 'uniqueness.document_id+updated_at', 'uniqueness', 1.6666666666666666E-1, 0E+0, FALSE`);

    // What CloudWatch stored: every metric and dimension set, and the values.
    const checkMetrics = (dataset: string, checks: string[]) => checks.flatMap((check) => [`CheckFailed{${dataset},${check}}`, `CheckValue{${dataset},${check}}`]);
    const datasetMetrics = (dataset: string) => [`FreshnessSeconds{${dataset}}`, `QueryFailed{${dataset}}`, `RowCount{${dataset}}`];
    expect(await aws.metricNames()).toEqual(
      [
        ...datasetMetrics('events'),
        ...checkMetrics('events', ['row_count.min', 'completeness.event', 'completeness.user_id', 'completeness.event_time', 'format.event', 'freshness.event_time']),
        ...datasetMetrics('client_errors'),
        ...checkMetrics('client_errors', ['row_count.min', 'completeness.error_id', 'completeness.app_version', 'uniqueness.error_id', 'freshness.reported_at']),
        ...datasetMetrics('documents'),
        ...checkMetrics('documents', ['row_count.min', 'completeness.document_id', 'completeness.content', 'uniqueness.document_id+updated_at', 'freshness.updated_at']),
      ].sort(),
    );
    expect(await aws.values('CheckValue', 'events', runTime, 'completeness.user_id')).toEqual([0.995]);
    expect(await aws.values('CheckFailed', 'events', runTime, 'completeness.user_id')).toEqual([0]);
    expect(await aws.values('CheckValue', 'client_errors', runTime, 'completeness.app_version')).toEqual([0.99]); // exactly the threshold
    expect(await aws.values('CheckFailed', 'client_errors', runTime, 'completeness.app_version')).toEqual([0]);
    expect(await aws.values('CheckFailed', 'documents', runTime, 'completeness.content')).toEqual([1]);
    expect(await aws.values('CheckFailed', 'documents', runTime, 'uniqueness.document_id+updated_at')).toEqual([1]);
    expect(await aws.values('RowCount', 'documents', runTime)).toEqual([12]);
    expect(await aws.values('FreshnessSeconds', 'events', runTime)).toEqual([120]);
    expect(await aws.values('FreshnessSeconds', 'documents', runTime)).toEqual([1800]);
    for (const dataset of ['events', 'client_errors', 'documents']) expect(await aws.values('QueryFailed', dataset, runTime), dataset).toEqual([0]);
  });

  it('a result moto returns without rows is unusable: QueryFailed=1 in CloudWatch, no check metrics, and the invocation fails', async () => {
    const aws = setUp([[RAW, events.name], [CURATED, documents.name]]);
    await aws.catalog([[RAW, events], [CURATED, documents]]);
    const runTime = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    // Only the first query started (events) gets a seeded result; moto answers documents' with no rows at all.
    await moto.seedAthenaResults(aws.region, [
      {
        columns: ['row_count', 'completeness__event', 'completeness__user_id', 'completeness__event_time', 'bad_format__event', 'newest_epoch_seconds'],
        rows: [['5', '1.0', '1.0', '1.0', '0', String(runTime.getTime() / 1000)]],
      },
    ]);

    const failure = await aws.run({ id: 'moto-run-2', time: runTime.toISOString() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DataQualityRunError);
    const error = failure as DataQualityRunError;
    expect(error.message).toMatch(/^Data-quality run moto-run-2 failed: 1 dataset\(s\) could not be checked: documents \(its query result is unusable \(query [^)]+\): MetricRowError: the query returned neither columns nor rows\)$/);
    expect(await aws.metricNames()).not.toContain('CheckFailed{documents,completeness.content}');
    expect(await aws.values('QueryFailed', 'documents', runTime)).toEqual([1]);
    expect(await aws.values('QueryFailed', 'events', runTime)).toEqual([0]);
    expect(await aws.values('CheckFailed', 'events', runTime, 'row_count.min')).toEqual([0]);
    // The history still gets what was measured.
    const recorded = await aws.executions();
    expect(recorded).toHaveLength(3);
    expect(recorded[2].query).toMatch(/^INSERT INTO "lakehouse_test_operations"."data_quality_results"/);
    expect(recorded[2].query).not.toContain("'documents'");
  });

  it('a listed table that is missing (or in a missing database) or has no contract fails the run naming it; the others are checked', async () => {
    const aws = setUp([[RAW, 'scratch'], [RAW, events.name], [RAW, 'gone'], ['lakehouse_test_nowhere', 'orders']]);
    await aws.catalog([[RAW, events]], ['scratch']);
    const runTime = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await moto.seedAthenaResults(aws.region, [
      {
        columns: ['row_count', 'completeness__event', 'completeness__user_id', 'completeness__event_time', 'bad_format__event', 'newest_epoch_seconds'],
        rows: [['5', '1.0', '1.0', '1.0', '0', String(runTime.getTime() / 1000)]],
      },
    ]);

    const failure = await aws.run({ id: 'moto-run-3', time: runTime.toISOString() }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DataQualityRunError);
    const error = failure as DataQualityRunError;
    // Moto answers GetTable over the wire with Glue's EntityNotFoundException and its messages.
    expect(error.message).toBe(
      'Data-quality run moto-run-3 failed: 3 dataset(s) could not be checked: ' +
        'scratch (table lakehouse_test_raw.scratch has no lakehouse.contract parameter); ' +
        'gone (table lakehouse_test_raw.gone was not found in the Glue catalog: EntityNotFoundException: Table gone not found.); ' +
        'orders (table lakehouse_test_nowhere.orders was not found in the Glue catalog: EntityNotFoundException: Database lakehouse_test_nowhere not found.)',
    );
    expect(error.report.datasets.map((outcome) => [outcome.dataset, outcome.failure ?? 'checked'])).toEqual([
      ['scratch', 'ERROR'],
      ['events', 'checked'],
      ['gone', 'ERROR'],
      ['orders', 'ERROR'],
    ]);
    for (const dataset of ['scratch', 'gone', 'orders']) expect(await aws.values('QueryFailed', dataset, runTime), dataset).toEqual([1]);
    expect(await aws.values('QueryFailed', 'events', runTime)).toEqual([0]);
    expect((await aws.metricNames()).filter((name) => /\{(scratch|gone|orders)[,}]/.test(name))).toEqual(['QueryFailed{gone}', 'QueryFailed{orders}', 'QueryFailed{scratch}']);
    // Athena ran the events query and the history insert, nothing for the tables that could not be read.
    const recorded = await aws.executions();
    expect(recorded.map((execution) => execution.database)).toEqual([RAW, HISTORY]);
    expect(recorded[0].query).toBe(compileQualityQuery(events, { database: RAW, window: checkWindow(events, runTime) }));
  });

  it('a pipeline\'s targeted runs: readiness of events, then a day check of an Iceberg table whose contract ships in the contracts file', async () => {
    const aws = setUp([[RAW, events.name], [ANALYTICS, dailyActiveUsers.name]]);
    await aws.catalog([[RAW, events]]);
    await aws.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: ANALYTICS } }));
    // As Athena creates an Iceberg table: no lakehouse.contract parameter.
    await aws.glue.send(new CreateTableCommand({ DatabaseName: ANALYTICS, TableInput: { Name: dailyActiveUsers.name, Parameters: { table_type: 'ICEBERG' }, StorageDescriptor: { Columns: glueColumns(dailyActiveUsers).map((column) => ({ Name: column.name, Type: column.type })) } } }));
    const contractsFile = join(mkdtempSync(join(tmpdir(), 'dq-moto-')), 'contracts.json');
    writeFileSync(contractsFile, contractsFileText([{ database: ANALYTICS, table: dailyActiveUsers.name, contract: dailyActiveUsers }]));
    const env = { WORKGROUP, TABLES: JSON.stringify([{ database: RAW, table: 'events' }, { database: ANALYTICS, table: dailyActiveUsers.name }]), HISTORY_DATABASE: HISTORY, METRIC_NAMESPACE: NAMESPACE, ENVIRONMENT: 'test', CONTRACTS_FILE: contractsFile };
    const handler = createHandler({ glue: aws.glue, athena: aws.athena, cloudwatch: aws.cloudwatch, env, initialPollDelayMs: 10, maxPollDelayMs: 50, log: () => undefined });
    const day = '2026-11-22';
    await moto.seedAthenaResults(aws.region, [
      { columns: ['newest_epoch_seconds'], rows: [[String(Date.parse('2026-11-23T00:40:00Z') / 1000)]] },
      { columns: ['row_count', 'completeness__activity_date', 'duplicate_keys', 'out_of_range__active_users', 'newest_epoch_seconds'], rows: [['22', '1.0', '0', '0', String(Date.parse('2026-11-23T00:00:00Z') / 1000)]] },
    ]);

    const readiness = await handler({ action: 'readiness', day, datasets: ['events'], id: 'exec-1-readiness-1' });
    expect(readiness).toMatchObject({ day, ready: true, datasets: [{ dataset: 'events', ready: true, newest: '2026-11-23T00:40:00.000Z' }] });
    const check = await handler({ action: 'check', day, datasets: [dailyActiveUsers.name], id: 'exec-1-outputs' });
    expect(check).toMatchObject({ runId: 'exec-1-outputs', day, passed: true, failedChecks: [], historyRows: 5 });

    const recorded = await aws.executions();
    expect(recorded.map((execution) => execution.database)).toEqual([RAW, ANALYTICS, HISTORY]);
    expect(recorded[0].query).toBe(readinessQuery(events, { database: RAW, day }));
    expect(recorded[1].query).toBe(compileQualityQuery(dailyActiveUsers, { database: ANALYTICS, window: dayWindow(dailyActiveUsers, day) }));
    // Readiness publishes nothing; the check publishes the Iceberg table's metrics like a scheduled run.
    expect((await aws.metricNames()).filter((name) => name.includes('{events'))).toEqual([]);
    expect(await aws.metricNames()).toContain('CheckFailed{daily_active_users,range.active_users}');
  });
});
