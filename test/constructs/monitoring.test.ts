import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import type { LakehouseCatalog } from '../../constructs/catalog';
import { PlatformMonitoring } from '../../constructs/monitoring';
import { constructStack } from '../support/construct-stack';

function build() {
  const stack = constructStack();
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', {
    topicKey: new kms.Key(stack, 'Key'),
    emails: ['oncall@example.com'],
    httpsEndpoints: ['https://hooks.example.com/alerts'],
    dashboardName: 'test',
    thresholds: { iteratorAgeMinutes: 2 },
  });
  return { stack, monitoring };
}

describe('PlatformMonitoring refuses', () => {
  it('the same subscriber twice (e-mail addresses compare case-insensitively)', () => {
    const stack = constructStack();
    expect(
      () =>
        new PlatformMonitoring(stack, 'Monitoring', {
          topicKey: new kms.Key(stack, 'Key'),
          emails: ['oncall@example.com', 'OnCall@Example.com'],
          httpsEndpoints: ['https://hooks.example.com/a', 'https://hooks.example.com/a'],
          dashboardName: 'test',
        }),
    ).toThrow(
      'Invalid configuration in monitoring (ConstructUnderTest/Monitoring) (nothing was synthesized):\n' +
        '  - emails[1]: got "OnCall@Example.com"; duplicates emails[0]; list each once\n' +
        '  - httpsEndpoints[1]: got "https://hooks.example.com/a"; duplicates httpsEndpoints[0]; list each once',
    );
  });
});

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

  it('splits "platform degraded" into parts of at most 40 alarms, and the status widget into 100s, past 40 alarms', () => {
    const { stack, monitoring } = build();
    // watchQueries reads two metrics per workgroup from the catalog; these stand in for them.
    const metric = (name: string) => () => new cloudwatch.Metric({ namespace: 'AWS/Athena', metricName: name });
    const catalog = { metricQueryExecutionTime: metric('TotalExecutionTime'), metricFailedQueries: metric('FailedQueries') } as unknown as LakehouseCatalog;
    monitoring.watchQueries(catalog, Array.from({ length: 60 }, (_, index) => `workgroup-${index}`));
    monitoring.finish();
    const template = Template.fromStack(stack);
    const composites = template.findResources('AWS::CloudWatch::CompositeAlarm');
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmIds).toHaveLength(120);
    const partIds = Object.keys(composites).filter((id) => id.includes('PlatformDegradedPart'));
    expect(partIds).toHaveLength(3);
    const partRules = partIds.map((id) => JSON.stringify(composites[id].Properties.AlarmRule));
    for (const id of alarmIds) expect(partRules.filter((rule) => rule.includes(`"${id}"`)), id).toHaveLength(1);
    const [topId] = Object.keys(composites).filter((id) => !partIds.includes(id));
    for (const id of partIds) expect(JSON.stringify(composites[topId].Properties.AlarmRule)).toContain(`"${id}"`);
    expect(composites[topId].Properties.AlarmActions).toHaveLength(1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('Alarm status (2)');
    expect(body).not.toContain('Alarm status (3)');
  });

  it('refuses more alarms than one "platform degraded" can cover', () => {
    const { monitoring } = build();
    const metric = () => new cloudwatch.Metric({ namespace: 'AWS/Athena', metricName: 'FailedQueries' });
    const catalog = { metricQueryExecutionTime: metric, metricFailedQueries: metric } as unknown as LakehouseCatalog;
    monitoring.watchQueries(catalog, Array.from({ length: 801 }, (_, index) => `workgroup-${index}`));
    expect(() => monitoring.finish()).toThrow("  - alarms: got 1602 alarms; one \"platform degraded\" alarm covers at most 1600; watch fewer datasets or workgroups per monitoring construct");
  });
});
