/**
 * The Step Functions lineage fragment, asserted state by state in the ELT's synthesized definition (moto
 * cannot run it), and its States.Format call evaluated by the reference evaluator of the documented
 * grammar (test/elt/states-format.ts) and executed on the local lake's DuckDB.
 */
import { Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { lineage } from '../../config/datasets/lineage';
import { ELT_TARGETS, MetricsElt } from '../../constructs/elt';
import { LineageError, lineageInsertTemplate, LineageRecording } from '../../constructs/lineage';
import { eventsCurated } from '../../config/datasets/events-curated';
import { LocalLake } from '../../lib/local-lake/engine';
import { constructStack, templateOf } from '../support/construct-stack';
import { evaluateStatesFormat } from '../elt/states-format';

const RAW = 'lakehouse_test_raw';
const CURATED = 'lakehouse_test_curated';
const ANALYTICS = 'lakehouse_test_analytics';
type States = Record<string, any>;

function eltDefinition(): { StartAt: string; States: States } {
  const stack = constructStack({ account: '111111111111', region: 'eu-west-1' });
  const key = new kms.Key(stack, 'Key');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
  new MetricsElt(stack, 'Elt', {
    workgroupName: 'lakehouse-test-engineering',
    resultsBucket: bucket,
    resultsKey: key,
    source: { databaseName: RAW, dataset: events },
    curated: { databaseName: CURATED, bucket, dataset: eventsCurated },
    target: { databaseName: ANALYTICS, bucket, datasets: analyticsDatasets },
    logsKey: key,
    lineage: { dataset: lineage, jobNamespace: 'lakehouse-test' },
  });
  return definitionOf(stack);
}

function definitionOf(stack: ReturnType<typeof constructStack>): { StartAt: string; States: States } {
  const [machine] = Object.values(templateOf(stack).findResources('AWS::StepFunctions::StateMachine'));
  const definition = machine.Properties.DefinitionString;
  const text = typeof definition === 'string' ? definition : (definition['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return JSON.parse(text);
}

describe('the ELT records lineage after every target', () => {
  const { States } = eltDefinition();

  it.each(ELT_TARGETS)('%s: the INSERT keeps its result, then Guard → RowCount → Record, and every way out goes on to the next target', (target) => {
    const prefix = `${target}_lineage.`;
    const insert = Object.entries(States).filter(([name]) => new RegExp(`^${target}_\\d+$`).test(name)).pop()![1];
    expect(insert.ResultPath).toBe('$.written');
    expect(insert.Next).toBe(`${prefix}Guard`);

    const guard = States[`${prefix}Guard`];
    expect(guard).toMatchObject({ Type: 'Choice', QueryLanguage: 'JSONata', Default: `${prefix}Skipped` });
    expect(guard.Choices).toHaveLength(1);
    expect(guard.Choices[0].Next).toBe(`${prefix}RowCount`);
    // The run id and the day are spliced inside quotes: both must be strings without '.
    expect(guard.Choices[0].Condition).toContain(`$v := $states.context.Execution.Name; $type($v) = "string" and $not($contains($v, "'"))`);
    expect(guard.Choices[0].Condition).toContain(`$v := $states.input.day;`);

    const rowCount = States[`${prefix}RowCount`];
    expect(rowCount).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::athena:getQueryResults',
      Parameters: { 'QueryExecutionId.$': '$.written.QueryExecution.QueryExecutionId', MaxResults: 1 },
      ResultSelector: { 'rows.$': '$.UpdateCount' },
      ResultPath: '$.lineage',
      Next: `${prefix}Record`,
    });
    expect(rowCount.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.lineageError', Next: `${prefix}NotRecorded` }]);

    const record = States[`${prefix}Record`];
    expect(record).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::athena:startQueryExecution.sync', ResultPath: null });
    expect(record.Parameters).toMatchObject({ WorkGroup: 'lakehouse-test-engineering', QueryExecutionContext: { Database: ANALYTICS } });
    expect(record.Parameters['QueryString.$']).toMatch(/^States\.Format\('INSERT INTO "lakehouse_test_analytics"\."lineage" /);
    expect(record.Parameters['QueryString.$']).toMatch(/, \$\$\.State\.EnteredTime, \$\$\.Execution\.Name, \$\.lineage\.rows, \$\.day\)$/);
    expect(record.Retry[0].ErrorEquals).toContain('Athena.TooManyRequestsException');
    expect(record.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.lineageError', Next: `${prefix}NotRecorded` }]);

    // Skipped, Record and NotRecorded all lead to the same next state: the next target's DELETE, or the end.
    const next = new Set([States[`${prefix}Skipped`].Next, record.Next, States[`${prefix}NotRecorded`].Next]);
    expect(next.size).toBe(1);
    const index = ELT_TARGETS.indexOf(target);
    expect([...next][0]).toBe(index === ELT_TARGETS.length - 1 ? 'DayMaterialised' : `${ELT_TARGETS[index + 1]}_1`);
    expect(States[`${prefix}Skipped`].Type).toBe('Pass');
    expect(States[`${prefix}NotRecorded`].Type).toBe('Pass');
  });

  it('records nothing without the lineage prop (the states exist only when asked for)', () => {
    const stack = constructStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    new MetricsElt(stack, 'Elt', { workgroupName: 'wg', resultsBucket: bucket, resultsKey: key, source: { databaseName: RAW, dataset: events }, curated: { databaseName: CURATED, bucket, dataset: eventsCurated }, target: { databaseName: ANALYTICS, bucket, datasets: analyticsDatasets }, logsKey: key });
    expect(JSON.stringify(templateOf(stack).findResources('AWS::StepFunctions::StateMachine'))).not.toContain('lineage');
  });

  it('refuses a lineage table that is not Iceberg', () => {
    const stack = constructStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    const props = { workgroupName: 'wg', resultsBucket: bucket, resultsKey: key, source: { databaseName: RAW, dataset: events }, curated: { databaseName: CURATED, bucket, dataset: eventsCurated }, target: { databaseName: ANALYTICS, bucket, datasets: analyticsDatasets }, logsKey: key };
    expect(() => new MetricsElt(stack, 'Elt', { ...props, lineage: { dataset: { ...lineage, format: 'parquet' }, jobNamespace: 'x' } })).toThrow(/must be an Iceberg table/);
  });
});

describe('the States.Format INSERT, evaluated and executed', () => {
  let lake: LocalLake;
  beforeAll(async () => {
    lake = await LocalLake.open({ root: '/nonexistent', databases: { analytics: ANALYTICS }, today: '2026-03-04' });
  });
  afterAll(() => lake.close());

  const template = lineageInsertTemplate({
    database: ANALYTICS,
    job: { namespace: 'lakehouse-test', name: "metrics_elt.it's {quoted}" },
    inputs: [{ namespace: 'awsathena://athena.eu-west-1.amazonaws.com', name: `awsdatacatalog.${RAW}.events` }],
    outputs: [{ namespace: 'awsathena://athena.eu-west-1.amazonaws.com', name: `awsdatacatalog.${ANALYTICS}.daily_active_users` }],
    factPaths: { day: '$.day' },
    facts: { state_machine: 'a\\b' },
    outputRowCountPath: '$.lineage.rows',
  });

  it.each([
    ['a row count', 42, 42],
    ['no row count (UpdateCount null)', null, null],
  ])('inserts the row Step Functions would send, with %s', async (_name, rows, expected) => {
    await lake.createTable(lineage);
    const sql = evaluateStatesFormat(template.expression, { day: '2026-03-03', lineage: { rows } }, { State: { EnteredTime: '2026-03-04T01:31:02.123Z' }, Execution: { Name: '0f5e8a4c-aaaa-4bbb-8ccc-123456789abc' } });
    await lake.query(sql);
    const rowsRead = await lake.query(`SELECT event_time, event_type, run_id, job_name, inputs, outputs, output_row_count, facets FROM "${ANALYTICS}"."lineage"`);
    expect(rowsRead).toEqual([
      {
        event_time: '2026-03-04T01:31:02.123Z',
        event_type: 'COMPLETE',
        run_id: '0f5e8a4c-aaaa-4bbb-8ccc-123456789abc',
        job_name: "metrics_elt.it's {quoted}",
        inputs: [{ namespace: 'awsathena://athena.eu-west-1.amazonaws.com', name: `awsdatacatalog.${RAW}.events` }],
        outputs: [{ namespace: 'awsathena://athena.eu-west-1.amazonaws.com', name: `awsdatacatalog.${ANALYTICS}.daily_active_users` }],
        output_row_count: expected,
        facets: [
          { key: 'day', value: '2026-03-03' },
          { key: 'state_machine', value: 'a\\b' },
        ],
      },
    ]);
  });

  it('names the quoted arguments, which the Guard checks', () => {
    expect(template.args).toEqual(['$$.State.EnteredTime', '$$.Execution.Name', '$.lineage.rows', '$.day']);
    expect(template.stringPaths).toEqual(['$$.Execution.Name', '$.day']);
  });

  it('keeps CDK tokens intact so they resolve at deploy', () => {
    const stack = constructStack();
    const withToken = lineageInsertTemplate({ database: ANALYTICS, job: { namespace: 'n', name: 'j' }, inputs: [{ namespace: `awsathena://athena.${stack.region}.amazonaws.com`, name: 'x' }], outputs: [] });
    expect(withToken.expression).toContain('${Token[AWS.Region.');
    expect(withToken.expression).not.toContain('$\\{Token');
    const database = Token.asString({ Ref: 'DatabaseName' });
    const withDatabaseToken = lineageInsertTemplate({ database, job: { namespace: 'n', name: 'j' }, inputs: [], outputs: [] });
    expect(withDatabaseToken.expression).toContain(`INSERT INTO "${database}"."lineage"`);
  });

  it.each([
    ['a path that is not a path', { runIdPath: 'Execution.Name' }, /runIdPath "Execution\.Name" must be a path/],
    ['a database that is not a Glue name', { database: 'x"; DROP' }, /not a snake_case Glue database name/],
    ['the same fact twice', { facts: { day: 'x' }, factPaths: { day: '$.day' } }, /same key twice/],
  ])('refuses %s', (_name, override, message) => {
    expect(() => lineageInsertTemplate({ database: ANALYTICS, job: { namespace: 'n', name: 'j' }, inputs: [], outputs: [], ...override })).toThrow(LineageError);
    expect(() => lineageInsertTemplate({ database: ANALYTICS, job: { namespace: 'n', name: 'j' }, inputs: [], outputs: [], ...override })).toThrow(message);
  });

  it('the fragment refuses a write result path that is not a state path', () => {
    const stack = constructStack();
    expect(() => new LineageRecording(stack, 'L', { workgroupName: 'wg', database: ANALYTICS, job: { namespace: 'n', name: 'j' }, inputs: [], outputs: [], writeResultPath: '$$.Execution' })).toThrow(
      /writeResultPath "\$\$\.Execution" must be a state path/,
    );
    // Without a write result, the Guard goes straight to Record, which writes a NULL row count.
    const fragment = new LineageRecording(stack, 'M', { workgroupName: 'wg', database: ANALYTICS, job: { namespace: 'n', name: 'j' }, inputs: [], outputs: [] });
    new sfn.StateMachine(stack, 'SM', { definitionBody: sfn.DefinitionBody.fromChainable(fragment.next(new sfn.Succeed(stack, 'Done'))) });
    const definition = definitionOf(stack);
    expect(definition.StartAt).toBe('M.Guard');
    expect(definition.States['M.Guard'].Choices[0].Next).toBe('M.Record');
    expect(definition.States['M.Record'].Parameters['QueryString.$']).toContain('CAST(NULL AS bigint), CAST(NULL AS bigint)');
  });
});
