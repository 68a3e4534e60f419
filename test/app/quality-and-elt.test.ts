import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import { buildLakehouse } from '../../lib/lakehouse-app';
import { cliContext } from '../support/app-context';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { DATASETS } from '../../config/datasets';
import { qualityChecks } from '../../constructs/data-quality';
import { CURATED_TARGET, ELT_STEP_TARGETS, ELT_TARGETS } from '../../constructs/elt';
import { ALARM_KINDS } from '../../constructs/monitoring';
import { eltStateMachineName, metricsPipelineName, metricsPipelineStateMachineName } from '../../lib/naming';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

type Resource = ReturnType<typeof resourcesOfType>[number];

const statementsOf = (template: Template, roleLogicalId: string) =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties!.Roles).includes(roleLogicalId))
    .flatMap((policy) => policy.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[]);
const actionsOf = (statement: { Action: string | string[] }) => [statement.Action].flat();
const byPath = (template: Template, type: string, fragment: string): Resource[] =>
  resourcesOfType(template, type).filter((resource) => resource.logicalId.includes(fragment));
const alarmDescriptions = (template: Template) => resourcesOfType(template, 'AWS::CloudWatch::Alarm').map((alarm) => ({ alarm, description: String(alarm.Properties!.AlarmDescription) }));

describe.each(ENVIRONMENT_NAMES)('%s data-quality checks', (environment) => {
  const { templates } = synthCached(environment);
  const operations = templates[`lakehouse-${environment}-operations`];
  const datasets = DATASETS;
  // Every dataset but the history table the checks append to: Parquet and Iceberg alike.
  const checked = datasets.filter((dataset) => dataset.name !== 'data_quality_results');
  const [fn] = byPath(operations, 'AWS::Lambda::Function', 'DataQuality');
  const role = byPath(operations, 'AWS::IAM::Role', 'DataQualityRole')[0];

  it('runs one function in the VPC, one run at a time, with a dead-letter queue and an hourly schedule', () => {
    expect(fn.Properties!.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
    expect(fn.Properties!.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties!.DeadLetterConfig.TargetArn).toBeDefined();
    const rule = byPath(operations, 'AWS::Events::Rule', 'DataQualitySchedule')[0];
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.stringify(rule.Properties!.Targets)).toContain(fn.logicalId);
  });

  it('ships the Iceberg tables\' contracts as a layer, because those tables carry no custom properties', () => {
    const layer = byPath(operations, 'AWS::Lambda::LayerVersion', 'DataQualityContracts')[0];
    expect(layer).toBeDefined();
    expect(JSON.stringify(fn.Properties!.Layers)).toContain(layer.logicalId);
    expect(fn.Properties!.Environment.Variables.CONTRACTS_FILE).toBe('/opt/lakehouse-contracts.json');
    expect(checked.some((dataset) => dataset.format === 'iceberg')).toBe(true);
  });

  it('is told exactly the tables whose contracts it checks', () => {
    const tables = JSON.parse(resolveJoin(fn.Properties!.Environment.Variables.TABLES)) as { database: string; table: string }[];
    expect(tables.map((t) => t.table).sort()).toEqual(checked.map((d) => d.name).sort());
    for (const { database, table } of tables) {
      const dataset = checked.find((d) => d.name === table)!;
      expect(database).toBe(`lakehouse_${environment}_${dataset.zone}`);
    }
  });

  it('reads only the listed tables in Glue, never whole databases, and writes metrics only to its namespace', () => {
    const statements = statementsOf(operations, role.logicalId);
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain('glue:GetTables');
    expect(actions.some((action) => action.includes('*'))).toBe(false);
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['cloudwatch:PutMetricData', 'lakeformation:GetDataAccess']);
    const putMetrics = wildcard.find((statement) => actionsOf(statement).includes('cloudwatch:PutMetricData'))!;
    expect(putMetrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'Lakehouse/DataQuality' } });
    const glueResources = JSON.stringify(statements.filter((s) => actionsOf(s).includes('glue:GetTable')).map((s) => s.Resource));
    for (const dataset of checked) expect(glueResources).toContain(`table/lakehouse_${environment}_${dataset.zone}/${dataset.name}`);
    expect(glueResources).not.toMatch(/table\/[a-z_]+\/\*/);
  });

  it('holds SELECT on every checked table and INSERT on the history and lineage tables in Lake Formation, and nothing more', () => {
    const grants = byPath(operations, 'AWS::LakeFormation::PrincipalPermissions', 'DataQuality');
    const byTable = new Map(grants.map((grant) => [grant.Properties!.Resource.Table.Name as string, grant.Properties!.Permissions as string[]]));
    // The two tables it writes (the history, and lineage, which is also checked) add INSERT; one grant per table.
    const written = ['data_quality_results', 'lineage'];
    for (const dataset of checked) expect(byTable.get(dataset.name), dataset.name).toEqual(written.includes(dataset.name) ? ['SELECT', 'INSERT', 'DESCRIBE'] : ['SELECT', 'DESCRIBE']);
    for (const table of written) expect(byTable.get(table), table).toEqual(['SELECT', 'INSERT', 'DESCRIBE']);
    expect(byTable.size).toBe(new Set([...checked.map((dataset) => dataset.name), ...written]).size);
  });

  it('alarms when a run could not record its lineage event (a failed recording never fails the run itself)', () => {
    const found = alarmDescriptions(operations).filter((a) => a.description.startsWith(ALARM_KINDS.LineageNotRecorded.summary));
    expect(found).toHaveLength(1);
    expect(found[0].alarm.Properties).toMatchObject({
      MetricName: 'LineageRecordFailed',
      Namespace: 'Lakehouse/DataQuality',
      Statistic: 'Maximum',
      Period: 10_800,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms once per dataset on the MAX of its query failure and every check failure, hourly', () => {
    const alarms = alarmDescriptions(operations);
    for (const dataset of checked) {
      const found = alarms.filter((a) => a.description.startsWith(ALARM_KINDS.DatasetQuality.summary) && a.description.includes(`(${dataset.name})`));
      expect(found, dataset.name).toHaveLength(1);
      const [{ alarm, description }] = found;
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const metrics = alarm.Properties!.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: string }[] }; Period: number } }[];
      const inputs = metrics.filter((m) => m.MetricStat);
      expect(metrics.find((m) => m.Expression)!.Expression).toBe(`MAX([${inputs.map((m) => m.Id).join(', ')}])`);
      const read = inputs.map(({ MetricStat }) => {
        const dimensions = Object.fromEntries(MetricStat!.Metric.Dimensions.map((d) => [d.Name, d.Value]));
        expect(dimensions).toMatchObject({ Environment: environment, Dataset: dataset.name });
        expect(MetricStat!.Metric.Namespace).toBe('Lakehouse/DataQuality');
        expect(MetricStat!.Period).toBe(3600);
        return `${MetricStat!.Metric.MetricName}${dimensions.Check ? ` ${dimensions.Check}` : ''}`;
      });
      expect(read).toEqual(['QueryFailed', ...qualityChecks(dataset).map((check) => `CheckFailed ${check.id}`)]);
      // The description names every input, so the one at 1 can be looked up.
      for (const check of qualityChecks(dataset)) expect(description).toContain(`CheckFailed ${check.id}`);
    }
  });

  it('alarms when no run succeeded for three hours, missing data included', () => {
    const notRunning = alarmDescriptions(operations).find((a) => a.description.startsWith(ALARM_KINDS.QualityNotRunning.summary))!;
    expect(notRunning.alarm.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    const metrics = notRunning.alarm.Properties!.Metrics as { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('invocations - errors');
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort()).toEqual(['Errors', 'Invocations']);
  });
});

describe.each(ENVIRONMENT_NAMES)('%s metrics ELT', (environment) => {
  const { templates } = synthCached(environment);
  const operations = templates[`lakehouse-${environment}-operations`];
  const [machine] = byPath(operations, 'AWS::StepFunctions::StateMachine', 'MetricsEltStateMachine');
  const role = byPath(operations, 'AWS::IAM::Role', 'MetricsEltRole')[0];
  const definition = JSON.parse(resolveJoin(machine.Properties!.DefinitionString)) as { StartAt: string; States: Record<string, any> };

  it('refuses a day that is not yyyy-mm-dd, and asks Athena for yesterday when none is given', () => {
    const choice = definition.States[definition.StartAt];
    expect(choice).toMatchObject({ Type: 'Choice', QueryLanguage: 'JSONata' });
    expect(choice.Choices[0].Condition).toContain('/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/');
    expect(definition.States[choice.Choices[1].Next]).toMatchObject({ Type: 'Fail', Error: 'InvalidDay' });
    expect(definition.States[choice.Default].Resource).toMatch(/athena:startQueryExecution\.sync$/);
  });

  it('replaces one day of every target, DELETE before INSERT, through the synchronous Athena integration', () => {
    const queries = Object.entries(definition.States).filter(([, state]) => String(state.Resource).endsWith('athena:startQueryExecution.sync'));
    for (const target of ELT_TARGETS) {
      const statements = queries.filter(([name]) => name.startsWith(`${target}_`)).map(([, state]) => String(state.Parameters['QueryString.$']));
      expect(statements.length, target).toBeGreaterThanOrEqual(2);
      expect(statements[0], target).toMatch(/^States\.Format\('DELETE FROM lakehouse_[a-z]+_analytics\./);
      expect(statements.some((statement) => statement.includes('INSERT INTO')), target).toBe(true);
      for (const [, state] of queries.filter(([name]) => name.startsWith(`${target}_`))) {
        expect(state.Parameters.WorkGroup).toBe(`lakehouse-${environment}-engineering`);
        expect(state.Retry[0].ErrorEquals).toContain('Athena.TooManyRequestsException');
      }
    }
  });

  it('runs the curated step first, from raw into events_curated with the 7-day window, then every metric in order', () => {
    // Walk the main path (a Choice's Default is its main path: lineage recording sits between the steps).
    const queries = new Set(ELT_STEP_TARGETS.flatMap((target) => [`${target}_1`, `${target}_2`]));
    const order: string[] = [];
    let state = definition.States.DayChosen.Next as string | undefined;
    for (let hops = 0; state && state !== 'DayMaterialised' && hops < 500; hops += 1) {
      if (queries.has(state)) order.push(state);
      state = (definition.States[state].Next ?? definition.States[state].Default) as string | undefined;
    }
    expect(state).toBe('DayMaterialised');
    expect(order).toEqual(ELT_STEP_TARGETS.flatMap((target) => [`${target}_1`, `${target}_2`]));
    const [remove, insert] = [0, 1].map((index) => String(definition.States[order[index]].Parameters['QueryString.$']));
    expect(remove).toMatch(new RegExp(`^States\\.Format\\('DELETE FROM lakehouse_${environment}_curated\\.events_curated WHERE event_date BETWEEN DATE \\\\'\\{\\}\\\\' - INTERVAL \\\\'7\\\\' DAY`));
    expect(insert).toContain(`INSERT INTO lakehouse_${environment}_curated.events_curated (`);
    expect(insert).toContain(`FROM lakehouse_${environment}_raw.events WHERE dt BETWEEN`);
    for (const name of order.slice(2)) expect(String(definition.States[name].Parameters['QueryString.$'])).not.toContain(`lakehouse_${environment}_raw.`);
  });

  it('has its fixed name, logs every execution, traces, and has no schedule of its own (the pipeline starts it)', () => {
    expect(machine.Properties!.StateMachineName).toBe(eltStateMachineName('lakehouse', environment));
    expect(machine.Properties!.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties!.LoggingConfiguration.Level).toBe('ALL');
    expect(byPath(operations, 'AWS::Events::Rule', 'MetricsEltSchedule')).toEqual([]);
  });

  it('lists its actions (no s3:* or glue:Delete*) and writes only to the analytics targets', () => {
    const statements = statementsOf(operations, role.logicalId);
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain('s3:*');
    expect(actions.some((action) => action.startsWith('glue:Delete'))).toBe(false);
    const writes = statements.filter((statement) => actionsOf(statement).includes('glue:UpdateTable'));
    const written = JSON.stringify(writes.map((statement) => statement.Resource));
    for (const target of ELT_TARGETS) expect(written).toContain(`table/lakehouse_${environment}_analytics/${target}`);
    expect(written).toContain(`table/lakehouse_${environment}_curated/${CURATED_TARGET}`);
    expect(written).not.toContain('_raw/');
  });

  it('holds SELECT on events and write permissions on events_curated and each target in Lake Formation', () => {
    const grants = byPath(operations, 'AWS::LakeFormation::PrincipalPermissions', 'MetricsElt');
    const tableGrants = grants.filter((grant) => grant.Properties!.Resource.Table);
    const byTable = new Map(tableGrants.map((grant) => [grant.Properties!.Resource.Table.Name as string, grant.Properties!.Permissions as string[]]));
    expect(byTable.get('events')).toEqual(['SELECT', 'DESCRIBE']);
    for (const target of [CURATED_TARGET, ...ELT_TARGETS]) expect(byTable.get(target), target).toEqual(['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE']);
    const curated = tableGrants.find((grant) => grant.Properties!.Resource.Table.Name === CURATED_TARGET)!;
    expect(curated.Properties!.Resource.Table.DatabaseName).toBe(`lakehouse_${environment}_curated`);
    // Lineage is appended, never deleted or altered.
    expect(byTable.get('lineage')).toEqual(['SELECT', 'INSERT', 'DESCRIBE']);
    // One data-location grant per written bucket: curated and analytics.
    expect(grants.filter((grant) => grant.Properties!.Resource.DataLocation)).toHaveLength(2);
  });

  it('alarms on failed or timed-out executions and routes their events to the alarm topic', () => {
    const failed = alarmDescriptions(operations).find((a) => a.description.startsWith(ALARM_KINDS.EltFailed.summary))!;
    expect(failed.alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const rule = byPath(operations, 'AWS::Events::Rule', 'EltExecutionFailures')[0];
    expect(rule.Properties!.EventPattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(JSON.stringify(rule.Properties!.EventPattern.detail.stateMachineArn)).toContain(machine.logicalId);
  });
});

describe.each(ENVIRONMENT_NAMES)('%s daily metrics pipeline', (environment) => {
  const { templates } = synthCached(environment);
  const operations = templates[`lakehouse-${environment}-operations`];
  const [machine] = byPath(operations, 'AWS::StepFunctions::StateMachine', 'MetricsPipelineStateMachine');
  const [elt] = byPath(operations, 'AWS::StepFunctions::StateMachine', 'MetricsEltStateMachine');
  const [quality] = byPath(operations, 'AWS::Lambda::Function', 'DataQuality');
  const role = byPath(operations, 'AWS::IAM::Role', 'MetricsPipelineRole')[0];
  const definition = JSON.parse(resolveJoin(machine.Properties!.DefinitionString)) as { States: Record<string, any> };

  it('has the name the backfill script looks for, logs, traces, and runs daily at 01:30 UTC with no day (the previous one)', () => {
    expect(machine.Properties!.StateMachineName).toBe(metricsPipelineStateMachineName('lakehouse', environment));
    expect(machine.Properties!.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.Properties!.LoggingConfiguration.Level).toBe('ALL');
    const rule = byPath(operations, 'AWS::Events::Rule', 'MetricsPipelineSchedule')[0];
    expect(rule.Properties!.ScheduleExpression).toBe('cron(30 1 * * ? *)');
    expect(rule.Properties!.Targets[0].Input).toBe('{}');
  });

  it('gates on events and checks every ELT target, with the configured policy and a two-hour freshness wait', () => {
    expect(definition.States.ProbeInputFreshness.Arguments.Payload.datasets).toEqual(['events']);
    expect(definition.States.CheckOutputQuality.Arguments.Payload.datasets).toEqual([...ELT_TARGETS]);
    expect(definition.States.PublishInputQualityFailure.Next).toBe('InputQualityFailed');
    expect(definition.States.InputsFresh.Choices[1].Condition).toBe('{% $polls >= 13 %}');
    expect(definition.States.RunElt.Arguments.StateMachineArn).toBe('<ref>');
  });

  it('may invoke only the quality function, start only the ELT, follow only its executions, put events only on the default bus', () => {
    const statements = statementsOf(operations, role.logicalId);
    const resourcesFor = (action: string) => JSON.stringify(statements.filter((statement) => actionsOf(statement).includes(action)).map((statement) => statement.Resource));
    expect(resourcesFor('lambda:InvokeFunction')).toContain(quality.logicalId);
    expect(resourcesFor('lambda:InvokeFunction')).not.toContain(':*');
    expect(resourcesFor('states:StartExecution')).toContain(elt.logicalId);
    expect(resourcesFor('states:DescribeExecution')).toContain(`:execution:${eltStateMachineName('lakehouse', environment)}:*`);
    expect(resourcesFor('events:PutEvents')).toContain(':event-bus/default');
    const onAnything = statements.filter((statement) => statement.Resource === '*').flatMap(actionsOf);
    expect(onAnything.every((action) => action.startsWith('xray:') || action.startsWith('logs:'))).toBe(true);
  });

  it('alarms on failed executions and on gate failures, whose events also reach the alarm topic', () => {
    const alarms = alarmDescriptions(operations);
    expect(alarms.filter((a) => a.description.startsWith(ALARM_KINDS.PipelineFailed.summary))).toHaveLength(1);
    const gate = alarms.find((a) => a.description.startsWith(ALARM_KINDS.PipelineGateFailed.summary))!;
    const rule = byPath(operations, 'AWS::Events::Rule', 'PipelineGateFailures')[0];
    expect(rule.Properties!.EventPattern).toEqual({ source: ['lakehouse.pipeline'], 'detail-type': ['Pipeline Gate Failed'], detail: { pipeline: [metricsPipelineName('lakehouse', environment)] } });
    expect(JSON.stringify(gate.alarm.Properties)).toContain('TriggeredRules');
    expect(JSON.stringify(gate.alarm.Properties)).toContain(rule.logicalId);
  });

  it('the data-quality role may SELECT every ELT target in Lake Formation (the output checks read them)', () => {
    const grants = byPath(operations, 'AWS::LakeFormation::PrincipalPermissions', 'DataQuality');
    const tables = grants.map((grant) => grant.Properties!.Resource.Table.Name as string);
    for (const target of ELT_TARGETS) expect(tables).toContain(target);
  });
});

/** Joins an `Fn::Join` of literals and references into one string, references as `<ref>`. */
function resolveJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return '<ref>';
  return join[1].map((part) => (typeof part === 'string' ? part : '<ref>')).join(join[0]);
}

describe('an app with its own datasets', () => {
  const build = (keep: (name: string) => boolean) => {
    const app = new App({ context: { ...cliContext(), env: 'dev' } });
    // Without events and the quarantine dataset there is nothing for the collector to write: it is off.
    const config = loadEnvironmentConfig('dev');
    return buildLakehouse(app, { ...config, collector: { ...config.collector, enabled: false } }, { compliance: false, datasets: DATASETS.filter((d) => keep(d.name)) });
  };

  it('gets no quality checks without a data_quality_results table, and no ELT without events and the metrics tables', () => {
    const stacks = build((name) => name === 'client_errors' || name === 'documents');
    expect(stacks.operations.dataQuality).toBeUndefined();
    expect(stacks.operations.elt).toBeUndefined();
    expect(stacks.operations.monitoring.alarms.some((entry) => entry.kind.startsWith('Quality') || entry.kind === 'EltFailed')).toBe(false);
  });

  it('is told which dataset is missing when it declares only part of what the ELT reads and writes', () => {
    expect(() => build((name) => name !== 'retention_cohorts')).toThrow(
      'Invalid configuration in the dataset list (nothing was synthesized):\n' +
        '  - datasets: got events, events_curated, daily_active_users, monthly_active_users, feature_adoption, funnel_conversion ' +
        '(from config/datasets/events.ts, config/datasets/events-curated.ts, config/datasets/analytics.ts); ' +
        'the metrics ELT reads events and writes events_curated, daily_active_users, monthly_active_users, retention_cohorts, feature_adoption, funnel_conversion; ' +
        'declare the missing dataset(s) retention_cohorts, or none of them',
    );
    expect(() => build((name) => name !== 'events')).toThrow(/declare the missing dataset\(s\) events, or none of them/);
    expect(() => build((name) => name !== 'events_curated')).toThrow(/declare the missing dataset\(s\) events_curated, or none of them/);
  });
});
