import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { COMPOSITE_RULE_LIMITS, EnvironmentRollup, measureAlarmRule } from '../../constructs/monitoring';
import { shardedApp, streamedDataset } from './fixtures';

/** Base, one shard and a roll-up stack deployed last, synthesized as `cdk synth` would. */
function withRollup() {
  const sharded = shardedApp([streamedDataset(0)]);
  sharded.monitoring.finish();
  const rollupStack = new Stack(sharded.app, 'Rollup');
  const rollup = new EnvironmentRollup(rollupStack, 'Environment', {
    topic: sharded.platform.topic,
    alarmName: 'test-degraded',
    alarms: [sharded.platform.finish(), sharded.monitoring.rollupAlarm],
  });
  const assembly = sharded.app.synth();
  return { ...sharded, rollupStack, rollup, assembly };
}

describe('EnvironmentRollup', () => {
  const { assembly } = withRollup();
  const template = assembly.getStackByName('Rollup').template as { Resources: Record<string, { Type: string; Properties: Record<string, any> }>; Outputs?: object };
  const [composite] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::CompositeAlarm');

  it('names the base and shard roll-ups literally: no export, nothing for the other stacks to keep', () => {
    expect(composite.Properties.AlarmRule).toBe('ALARM("test-platform-degraded") OR ALARM("test-operations-2-degraded")');
    expect(composite.Properties.AlarmName).toBe('test-degraded');
  });

  it('deploys after every stack it names (CloudWatch refuses a rule naming a missing alarm), and nothing depends on it', () => {
    const stacksBefore = (name: string) => assembly.getStackByName(name).dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets'));
    expect(stacksBefore('Rollup').sort()).toEqual(['Base', 'Shard2']);
    for (const stack of ['Base', 'Shard2']) expect(stacksBefore(stack)).not.toContain('Rollup');
  });

  it("notifies the base stack's topic on ALARM and on OK", () => {
    const topic = [{ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Base', OutputName: expect.stringContaining('MonitoringAlarmTopic') }) }];
    expect(composite.Properties.AlarmActions).toEqual(topic);
    expect(composite.Properties.OKActions).toEqual(topic);
  });

  it('refuses an alarm whose name CloudFormation generates (the rule could only name it through an export)', () => {
    const sharded = shardedApp([streamedDataset(0)]);
    const unnamed = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }).createAlarm(sharded.base, 'Unnamed', { threshold: 1, evaluationPeriods: 1 });
    expect(() => new EnvironmentRollup(new Stack(sharded.app, 'Rollup'), 'Environment', { topic: sharded.platform.topic, alarmName: 'test-degraded', alarms: [unnamed] })).toThrow(
      /Base\/Unnamed need a deterministic alarm name/,
    );
  });

  it('covers 250 shard roll-ups through parts within the rule limits', () => {
    const sharded = shardedApp([]);
    const shards = new Stack(sharded.app, 'Shards');
    const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' });
    const children = Array.from({ length: 250 }, (_, index) =>
      new cloudwatch.CompositeAlarm(shards, `Shard${index}`, {
        compositeAlarmName: `lakehouse-prod-operations-${index + 2}-degraded`,
        alarmRule: cloudwatch.AlarmRule.fromAlarm(metric.createAlarm(shards, `Alarm${index}`, { threshold: 1, evaluationPeriods: 1 }), cloudwatch.AlarmState.ALARM),
      }),
    );
    const rollup = new EnvironmentRollup(new Stack(sharded.app, 'Rollup'), 'Environment', { topic: sharded.platform.topic, alarmName: 'lakehouse-prod-degraded', alarms: children });
    expect(rollup.composites.map((composite) => [composite.level, composite.children])).toEqual([
      [0, 3],
      [1, 100],
      [1, 100],
      [1, 50],
    ]);
    for (const composite of Object.values(sharded.app.synth().getStackByName('Rollup').template.Resources as Record<string, { Type: string; Properties: { AlarmRule: unknown } }>)) {
      const measured = measureAlarmRule(composite.Properties.AlarmRule);
      expect(measured.alarms).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.alarms);
      expect(measured.worstCaseLength).toBeLessThanOrEqual(COMPOSITE_RULE_LIMITS.characters);
    }
  });
});
