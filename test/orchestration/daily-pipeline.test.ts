/**
 * DailyPipeline on its own stack: its documented defaults (README "Default settings"), the synthesized
 * definition (the same object definition.ts builds, ARNs resolved), the role's exact statements, and the
 * values it refuses through the validation report. MetricsElt without its own schedule.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { events as eventsDataset } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { ValidationReport } from '../../constructs/common/validation-report';
import { MetricsElt } from '../../constructs/elt';
import { DailyPipeline, type DailyPipelineProps } from '../../constructs/orchestration';
import { constructStack, templateOf } from '../support/construct-stack';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function build(overrides: Partial<DailyPipelineProps> = {}) {
  const stack = constructStack(ENV);
  const key = new kms.Key(stack, 'Key');
  const quality = new lambda.Function(stack, 'Quality', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'), functionName: 'dq' });
  const elt = new sfn.StateMachine(stack, 'Elt', { stateMachineName: 'lakehouse-test-metrics-elt', definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(stack, 'Done')) });
  const pipeline = new DailyPipeline(stack, 'Pipeline', {
    pipelineName: 'lakehouse-test-product-metrics',
    qualityFunction: quality,
    elt,
    eltStateMachineName: 'lakehouse-test-metrics-elt',
    inputs: ['events'],
    outputs: ['daily_active_users'],
    logsKey: key,
    ...overrides,
  });
  return { stack, pipeline, template: templateOf(stack) };
}

const definitionOf = (template: ReturnType<typeof templateOf>) => {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).filter((resource) => JSON.stringify(resource).includes('Pipeline'));
  const parts = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  // References become `<Ref:LogicalId>` / `<Fn::GetAtt:LogicalId.Attribute>` inside the JSON strings.
  const reference = (part: object) => {
    const [[kind, value]] = Object.entries(part);
    return `<${kind}:${Array.isArray(value) ? value.join('.') : String(value)}>`;
  };
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : reference(part as object))).join('')) as {
    TimeoutSeconds: number;
    States: Record<string, Record<string, any>>;  
  };
};

describe('DailyPipeline defaults', () => {
  const { pipeline, template } = build();

  it('probes every 10 minutes for up to 2 hours (13 probes), fails stale inputs and failed input checks, runs at 01:30 UTC', () => {
    expect(pipeline.maxPolls).toBe(13);
    expect([pipeline.freshnessPolicy, pipeline.inputQualityPolicy]).toEqual(['fail', 'fail']);
    const definition = definitionOf(template);
    expect(definition.States.WaitForInputs.Seconds).toBe(600);
    expect(definition.States.InputsFresh.Choices[1].Condition).toBe('{% $polls >= 13 %}');
    expect(definition.TimeoutSeconds).toBe(2 * 3600 + 4 * 3600);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 1 * * ? *)', Targets: [{ Input: '{}' }] });
  });

  it('traces, logs every execution without its data to a KMS-encrypted log group kept a year and retained', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false } });
    const [group] = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('PipelineExecutionLogs')).map(([, resource]) => resource);
    expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    expect(group.Properties.KmsKeyId).toBeDefined();
  });

  it('the role: invoke the function (no version wildcard), start the ELT, follow its executions and the .sync rule, put events on the default bus', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes('PipelineRole'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const byAction = (action: string) => statements.filter((statement) => [statement.Action].flat().includes(action)).map((statement) => JSON.stringify(statement.Resource));
    expect(byAction('lambda:InvokeFunction')).toHaveLength(1);
    expect(byAction('lambda:InvokeFunction')[0]).not.toContain(':*');
    expect(byAction('states:StartExecution')[0]).toMatch(/^\{"Ref":"Elt[0-9A-F]+"\}$/);
    expect(byAction('states:DescribeExecution')).toEqual(['"arn:aws:states:eu-west-1:111111111111:execution:lakehouse-test-metrics-elt:*"']);
    expect(byAction('events:PutRule')).toEqual(['"arn:aws:events:eu-west-1:111111111111:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"']);
    expect(byAction('events:PutEvents')).toEqual(['"arn:aws:events:eu-west-1:111111111111:event-bus/default"']);
    const onAnything = statements.filter((statement) => statement.Resource === '*').flatMap((statement) => [statement.Action].flat());
    expect(onAnything.every((action) => /^(xray|logs):/.test(action))).toBe(true);
  });

  it('the synthesized definition is the one definition.ts builds, with the function and the ELT referenced', () => {
    const definition = definitionOf(template);
    expect(definition.States.ProbeInputFreshness.Arguments.FunctionName).toMatch(/^<Fn::GetAtt:Quality[0-9A-F]+\.Arn>$/);
    expect(definition.States.RunElt.Arguments.StateMachineArn).toMatch(/^<Ref:Elt[0-9A-F]+>$/);
    expect(definition.States.CheckOutputQuality.Arguments.Payload.datasets).toEqual(['daily_active_users']);
  });

  it('policies and the wait are configurable', () => {
    const { pipeline: custom, template: customTemplate } = build({ freshnessPollInterval: Duration.minutes(5), freshnessMaxWait: Duration.minutes(30), inputQualityPolicy: 'warn', schedule: events.Schedule.cron({ hour: '3', minute: '0' }) });
    expect(custom.maxPolls).toBe(7);
    expect(definitionOf(customTemplate).States.PublishInputQualityFailure.Next).toBe('RunElt');
    customTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
  });
});

describe('DailyPipeline refuses, through the validation report', () => {
  const refused = (overrides: Partial<DailyPipelineProps>, line: RegExp) => {
    let error: unknown;
    try {
      build(overrides);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationReport);
    expect((error as Error).message).toMatch(line);
  };

  it.each<[string, Partial<DailyPipelineProps>, RegExp]>([
    ['a name with spaces', { pipelineName: 'product metrics' }, /pipelineName: got "product metrics"; letters, digits/],
    ['no inputs', { inputs: [] }, /inputs: got \[\]; at least one dataset/],
    ['an output twice', { outputs: ['a', 'a'] }, /outputs: got \["a","a"\]; each dataset once/],
    ['an output name with a quote', { outputs: ["a'b"] }, /outputs: .*table names/],
    ['a probe every 30 s', { freshnessPollInterval: Duration.seconds(30) }, /freshnessPollInterval: got "30 s"; whole seconds, at least 60/],
    ['a wait of two days', { freshnessMaxWait: Duration.days(2) }, /freshnessMaxWait: got "172800 s"; 0 to 86400 s/],
    ['a policy that is neither fail nor warn', { inputQualityPolicy: 'ignore' as never }, /inputQualityPolicy: got "ignore"; fail or warn/],
    ['a schedule AWS would reject', { schedule: events.Schedule.expression('cron(99 1 * * ? *)') }, /schedule/],
  ])('%s', (_title, overrides, line) => refused(overrides, line));
});

describe('MetricsElt under a pipeline', () => {
  const elt = (props: { scheduled?: boolean; schedule?: events.Schedule }) => {
    const stack = constructStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    const construct = new MetricsElt(stack, 'Elt', {
      workgroupName: 'wg',
      resultsBucket: bucket,
      resultsKey: key,
      source: { databaseName: 'lakehouse_test_raw', dataset: eventsDataset },
      curated: { databaseName: 'lakehouse_test_curated', bucket, dataset: eventsCurated },
      target: { databaseName: 'lakehouse_test_analytics', bucket, datasets: analyticsDatasets },
      logsKey: key,
      ...props,
    });
    return { construct, template: templateOf(stack) };
  };

  it('has no schedule of its own with scheduled: false, and keeps it by default', () => {
    const unscheduled = elt({ scheduled: false });
    expect(unscheduled.construct.schedule).toBeUndefined();
    unscheduled.template.resourceCountIs('AWS::Events::Rule', 0);
    elt({}).template.resourceCountIs('AWS::Events::Rule', 1);
  });

  it('refuses a schedule together with scheduled: false', () => {
    expect(() => elt({ scheduled: false, schedule: events.Schedule.rate(Duration.days(1)) })).toThrow(ValidationReport);
  });
});
