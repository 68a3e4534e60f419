import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
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
});
