import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { checkCompositeAlarmName, literalAlarmName, rollUpAlarms, type AlarmRollup } from './alarm-rollup';

/** Properties of {@link EnvironmentRollup}. */
export interface EnvironmentRollupProps {
  /** The environment's alarm topic: notified on ALARM and on OK. */
  readonly topic: sns.ITopic;
  /** Deterministic name of the environment-wide composite, e.g. `lakehouse-prod-degraded`. */
  readonly alarmName: string;
  /**
   * The roll-ups to cover, usually in other stacks: PlatformMonitoring's "platform degraded" and each
   * DatasetMonitoring's `rollupAlarm`. Each needs a name fixed at synth (so the rule names it without an
   * export); each one's stack becomes a dependency of this construct's stack.
   */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * The one alarm that is in ALARM while any alarm of the environment is, over any number of shards: a
 * roll-up (composites of at most 100 alarms and 10,240 characters, recursively) over the base and shard
 * roll-ups. It belongs in a stack of its own deployed last: CloudWatch refuses a rule that names an alarm
 * that does not exist yet, and the shards already depend on the base stack for the topic, so neither the
 * base nor a shard can hold it without a cycle.
 */
export class EnvironmentRollup extends Construct {
  public readonly alarm: cloudwatch.CompositeAlarm;
  /** Every composite, the top one first, with what a budget measures. */
  public readonly composites: AlarmRollup['composites'];

  constructor(scope: Construct, id: string, props: EnvironmentRollupProps) {
    super(scope, id);
    checkCompositeAlarmName(this.node.path, props.alarmName);
    const unnamed = props.alarms.filter((alarm) => literalAlarmName(alarm) === undefined);
    if (unnamed.length > 0) {
      throw new Error(`${this.node.path}: ${unnamed.map((alarm) => alarm.node.path).join(', ')} need a deterministic alarm name (e.g. PlatformMonitoring's degradedAlarmName) to be named from another stack`);
    }
    const rollup = rollUpAlarms(this, 'Degraded', {
      alarms: props.alarms,
      alarmName: props.alarmName,
      alarmDescription: 'Any alarm of the environment is in ALARM: the alarm status of the base and shard dashboards shows which.',
      actions: [new actions.SnsAction(props.topic)],
    });
    this.alarm = rollup.alarm;
    this.composites = rollup.composites;
  }
}
