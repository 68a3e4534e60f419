import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import type { LakehouseCatalog } from '../../constructs/catalog';
import { COMPOSITE_RULE_LIMITS, measureAlarmRule, measureDashboardBody, PlatformMonitoring } from '../../constructs/monitoring';
import { cliContext } from '../support/app-context';
import { constructStack } from '../support/construct-stack';

/** `resourceLimit: false` lets one stack pass 500 resources, to load the roll-up in one synth. */
function build({ resourceLimit = true } = {}) {
  const stack = resourceLimit
    ? constructStack()
    : new Stack(new App({ context: { ...cliContext(), '@aws-cdk/core:stackResourceLimit': 0 }, builtinCloudFormationValidation: false }), 'ConstructUnderTest');
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', {
    topicKey: new kms.Key(stack, 'Key'),
    emails: ['oncall@example.com'],
    httpsEndpoints: ['https://hooks.example.com/alerts'],
    dashboardName: 'test',
    thresholds: { iteratorAgeMinutes: 2 },
  });
  return { stack, monitoring };
}

describe('PlatformMonitoring', () => {
  it('refuses to finish with nothing watched', () => {
    expect(() => build().monitoring.finish()).toThrow('nothing is watched');
  });

  it('watches backups: an alarm with both actions and an EventBridge rule to the topic; SSL-only encrypted topic; subscribers', () => {
    const { stack, monitoring } = build();
    monitoring.watchBackups('lakehouse-test');
    const composite = monitoring.finish();
    expect(monitoring.finish()).toBe(composite);
    const template = Template.fromStack(stack);
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const topicRef = { Ref: stack.getLogicalId(monitoring.topic.node.defaultChild as any) };
    expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef], TreatMissingData: 'notBreaching', Threshold: 0 });
    expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: docs\/runbooks\/alarms\.md#backupjobsfailed$/);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId((stack.node.findChild('Key') as kms.Key).node.defaultChild as any), 'Arn'] } });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: [topicRef], OKActions: [topicRef] });
    expect(monitoring.alarms.map((entry) => entry.kind)).toEqual(['BackupJobsFailed']);
    expect(composite).toBeInstanceOf(cloudwatch.CompositeAlarm);
  });

  it('covers 1,602 alarms (which one rule of parts used to refuse) through composites of at most 100 alarms and 10,240 characters', () => {
    const { stack, monitoring } = build({ resourceLimit: false });
    // watchQueries reads two metrics per workgroup from the catalog; these stand in for them.
    const metric = (name: string) => () => new cloudwatch.Metric({ namespace: 'AWS/Athena', metricName: name });
    const catalog = { metricQueryExecutionTime: metric('TotalExecutionTime'), metricFailedQueries: metric('FailedQueries') } as unknown as LakehouseCatalog;
    monitoring.watchQueries(catalog, Array.from({ length: 801 }, (_, index) => `workgroup-${index}`));
    const top = monitoring.finish();
    const template = Template.fromStack(stack);
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm');
    for (const [id, composite] of Object.entries(composites)) {
      const measured = measureAlarmRule(composite.Properties.AlarmRule);
      expect(measured.alarms, id).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.alarms);
      expect(measured.worstCaseLength, id).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
    }
    // Every metric alarm sits in exactly one rule; only the top composite notifies.
    const rules = Object.values(composites).map((composite) => JSON.stringify(composite.Properties.AlarmRule));
    for (const id of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) expect(rules.filter((rule) => rule.includes(`"${id}"`)), id).toHaveLength(1);
    const notifying = Object.entries(composites).filter(([, composite]) => composite.Properties.AlarmActions);
    expect(notifying.map(([id]) => id)).toEqual([stack.getLogicalId(top.node.defaultChild as cloudwatch.CfnCompositeAlarm)]);
    expect(monitoring.degradedComposites[0].alarm).toBe(top);
  });

  it('keeps the status widgets within 100 alarms each', () => {
    const { stack, monitoring } = build();
    const metric = () => new cloudwatch.Metric({ namespace: 'AWS/Athena', metricName: 'FailedQueries' });
    const catalog = { metricQueryExecutionTime: metric, metricFailedQueries: metric } as unknown as LakehouseCatalog;
    monitoring.watchQueries(catalog, Array.from({ length: 60 }, (_, index) => `workgroup-${index}`));
    monitoring.finish();
    const body = JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('Alarm status (2)');
    expect(body).not.toContain('Alarm status (3)');
  });

  it('pages its dashboard past 100 widgets, the first page keeping the name', () => {
    const { stack, monitoring } = build();
    const metric = () => new cloudwatch.Metric({ namespace: 'AWS/Athena', metricName: 'FailedQueries' });
    const catalog = { metricQueryExecutionTime: metric, metricFailedQueries: metric } as unknown as LakehouseCatalog;
    expect(() => monitoring.dashboard).toThrow('call finish() before reading dashboard');
    monitoring.watchQueries(catalog, Array.from({ length: 120 }, (_, index) => `workgroup-${index}`));
    monitoring.finish();
    const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    // 3 status widgets, 2 short stages and the start of the 121-widget query stage on page 1, the rest on page 2.
    expect(dashboards.map((dashboard) => dashboard.Properties.DashboardName)).toEqual(['test', 'test-2']);
    for (const dashboard of dashboards) expect(measureDashboardBody(dashboard.Properties.DashboardBody).widgets).toBeLessThanOrEqual(100);
    expect(monitoring.dashboard).toBe(monitoring.dashboards[0]);
  });

  it('keeps "platform degraded" silent when told (an environment roll-up notifies instead)', () => {
    const stack = constructStack();
    const monitoring = new PlatformMonitoring(stack, 'Monitoring', { topicKey: new kms.Key(stack, 'Key'), dashboardName: 'test', degradedNotifies: false });
    monitoring.watchBackups('lakehouse-test');
    monitoring.finish();
    const [composite] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite.Properties.AlarmActions).toBeUndefined();
    expect(composite.Properties.OKActions).toBeUndefined();
  });

  it('names "platform degraded" as told, so another stack can name it without an export', () => {
    const stack = constructStack();
    const monitoring = new PlatformMonitoring(stack, 'Monitoring', { topicKey: new kms.Key(stack, 'Key'), dashboardName: 'test', degradedAlarmName: 'lakehouse-test-platform-degraded' });
    monitoring.watchBackups('lakehouse-test');
    monitoring.finish();
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: 'lakehouse-test-platform-degraded' });
  });
});
