/**
 * The data-quality function records each run as an OpenLineage event, against moto's Athena, Glue and
 * CloudWatch (moto runs no SQL: the INSERT it was sent is then executed on the local lake's DuckDB). A
 * lineage failure is logged and published as LineageRecordFailed = 1, and the run still succeeds.
 */
import { AthenaClient, CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand } from '@aws-sdk/client-athena';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import { lineage } from '../../config/datasets/lineage';
import { createHandler } from '../../constructs/data-quality/handler';
import { glueColumns, gluePartitionKeys, parquetTableParameters } from '../../constructs/datasets';
import { LocalLake } from '../../lib/local-lake/engine';
import { CREDENTIALS, startMoto, type Moto } from '../data-quality/support';

const WORKGROUP = 'lakehouse-test-dq';
const RAW = 'lakehouse_test_raw';
const ANALYTICS = 'lakehouse_test_analytics';
const NAMESPACE = 'Lakehouse/DataQuality';
const RESULT = {
  columns: ['row_count', 'completeness__event', 'completeness__user_id', 'completeness__event_time', 'bad_format__event', 'newest_epoch_seconds'],
};

describe('data-quality runs record lineage (moto)', () => {
  let moto: Moto;
  const regions = ['ap-south-1', 'ap-northeast-1'];
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  async function setUp(failLineage: boolean) {
    const region = regions.shift()!;
    const config = { endpoint: moto.endpoint, region, credentials: CREDENTIALS };
    const glue = new GlueClient(config);
    const athena = new AthenaClient(config);
    const cloudwatch = new CloudWatchClient(config);
    if (failLineage) {
      // Athena refusing the lineage INSERT (for example a missing Lake Formation grant).
      athena.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { QueryString?: string };
          if (input.QueryString?.includes('"lineage"')) throw Object.assign(new Error('Insufficient Lake Formation permission(s) on lineage'), { name: 'InvalidRequestException' });
          return next(args);
        },
        { step: 'initialize', name: 'refuseLineage' },
      );
    }
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: RAW } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: RAW,
        TableInput: {
          Name: events.name,
          TableType: 'EXTERNAL_TABLE',
          Parameters: parquetTableParameters(events, 'lakehouse-test-raw'),
          StorageDescriptor: { Columns: glueColumns(events).map((c) => ({ Name: c.name, Type: c.type })), Location: `s3://lakehouse-test-raw/${events.name}/` },
          PartitionKeys: gluePartitionKeys(events).map((c) => ({ Name: c.name, Type: c.type })),
        },
      }),
    );
    await athena.send(new CreateWorkGroupCommand({ Name: WORKGROUP }));
    const runTime = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    await moto.seedAthenaResults(region, [{ ...RESULT, rows: [['1000', '1.0', '0.995', '1.0', '0', String(runTime.getTime() / 1000 - 120)]] }]);
    const logs: string[] = [];
    const env = { WORKGROUP, TABLES: JSON.stringify([{ database: RAW, table: events.name }]), HISTORY_DATABASE: ANALYTICS, METRIC_NAMESPACE: NAMESPACE, ENVIRONMENT: 'test', LINEAGE_DATABASE: ANALYTICS, LINEAGE_JOB_NAMESPACE: 'lakehouse-test' };
    const run = () => createHandler({ glue, athena, cloudwatch, env, initialPollDelayMs: 10, maxPollDelayMs: 50, log: (m) => logs.push(m) })({ id: 'moto-lineage-1', time: runTime.toISOString() });
    const executions = async () => {
      const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }));
      return Promise.all(QueryExecutionIds.map(async (id) => ({ id, ...(await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution })));
    };
    const lineageFailed = async () => {
      const { MetricDataResults = [] } = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(runTime.getTime() - 600_000),
          EndTime: new Date(runTime.getTime() + 600_000),
          MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: 'LineageRecordFailed', Dimensions: [{ Name: 'Environment', Value: 'test' }] }, Period: 60, Stat: 'Maximum' } }],
        }),
      );
      return MetricDataResults[0]?.Values ?? [];
    };
    return { region, runTime, run, executions, lineageFailed, logs };
  }

  it('appends one COMPLETE event: the checked table in, the history table out, with row counts', async () => {
    const aws = await setUp(false);
    const report = await aws.run();
    const executions = await aws.executions();
    expect(executions).toHaveLength(3); // the quality query, the history insert, the lineage insert
    const recorded = executions[2];
    expect(report.lineageQueryExecutionId).toBe(recorded.id);
    expect(recorded.QueryExecutionContext?.Database).toBe(ANALYTICS);
    expect(recorded.WorkGroup).toBe(WORKGROUP);
    expect(await aws.lineageFailed()).toEqual([0]);

    // The statement Athena received, executed on a real engine.
    const lake = await LocalLake.open({ root: '/nonexistent', databases: { analytics: ANALYTICS }, today: '2026-03-04' });
    try {
      await lake.createTable(lineage);
      await lake.query(recorded.Query!);
      const rows = await lake.query(`SELECT event_time, event_type, run_id, job_namespace, job_name, inputs, outputs, input_row_count, output_row_count FROM "${ANALYTICS}"."lineage"`);
      const namespace = `awsathena://athena.${aws.region}.amazonaws.com`;
      expect(rows).toEqual([
        {
          event_time: aws.runTime.toISOString(),
          event_type: 'COMPLETE',
          run_id: 'moto-lineage-1',
          job_namespace: 'lakehouse-test',
          job_name: 'data_quality',
          inputs: [{ namespace, name: `awsdatacatalog.${RAW}.events` }],
          outputs: [{ namespace, name: `awsdatacatalog.${ANALYTICS}.data_quality_results` }],
          input_row_count: 1000,
          output_row_count: report.historyRows,
        },
      ]);
    } finally {
      lake.close();
    }
  });

  it('a lineage INSERT that Athena refuses is logged and counted, and the run still succeeds', async () => {
    const aws = await setUp(true);
    const report = await aws.run();
    expect(report.failedChecks).toEqual([]);
    expect(report.historyQueryExecutionIds).toHaveLength(1);
    expect(report.lineageQueryExecutionId).toBeUndefined();
    expect((await aws.executions()).map((execution) => execution.Query ?? '').some((query) => query.includes('"lineage"'))).toBe(false);
    expect(aws.logs.some((line) => /lineage NOT recorded .*Insufficient Lake Formation permission/.test(line))).toBe(true);
    expect(await aws.lineageFailed()).toEqual([1]);
  });
});
