import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { EnvironmentRollup } from '../../constructs/monitoring';
import { compliancePacks } from '../../lib/compliance';
import { shardedApp, streamedDataset } from './fixtures';

describe('per-shard monitoring and the environment roll-up under cdk-nag', () => {
  it('raise no finding in any pack (AwsSolutions, NIST 800-53 R5, HIPAA, PCI) on the alarms, composites and dashboards they create', () => {
    const sharded = shardedApp(Array.from({ length: 2 }, (_, index) => streamedDataset(index)));
    sharded.monitoring.finish();
    const rollupStack = new Stack(sharded.app, 'Rollup');
    new EnvironmentRollup(rollupStack, 'Environment', { topic: sharded.platform.topic, alarmName: 'test-degraded', alarms: [sharded.platform.finish(), sharded.monitoring.rollupAlarm] });
    const monitoringPaths = (path = '') => path.startsWith('Shard2/Monitoring') || path.startsWith('Rollup/');
    let checked = 0;
    const findings = compliancePacks(sharded.app).flatMap((pack) => {
      const report = pack.validateScope(sharded.app);
      checked += 1;
      return report.violations.flatMap((violation) =>
        violation.violatingResources.filter((construct) => monitoringPaths(construct.constructPath)).map((construct) => `${violation.ruleName} at ${construct.constructPath}`),
      );
    });
    expect(checked).toBe(4);
    expect(findings).toEqual([]);
  });

  it('would report an alarm without actions (the packs are active on these constructs)', () => {
    const sharded = shardedApp([streamedDataset(0)]);
    sharded.monitoring.finish();
    // Strip the actions of one alarm: NIST and HIPAA require CloudWatch alarm actions.
    const alarm = sharded.monitoring.alarms[0].alarm.node.defaultChild as { alarmActions?: unknown; okActions?: unknown };
    alarm.alarmActions = undefined;
    alarm.okActions = undefined;
    const rules = compliancePacks(sharded.app).flatMap((pack) =>
      pack.validateScope(sharded.app).violations.filter((violation) => violation.violatingResources.some((construct) => (construct.constructPath ?? '').startsWith('Shard2/Monitoring'))).map((violation) => violation.ruleName),
    );
    expect(rules.some((rule) => /CloudWatchAlarmAction/.test(rule))).toBe(true);
  });
});
