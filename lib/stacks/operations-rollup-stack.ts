import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EnvironmentRollup } from '../../constructs/monitoring';
import type { OperationsShardStack } from './operations-shard-stack';
import type { OperationsStack } from './operations-stack';

export interface OperationsRollupStackProps extends StackProps {
  readonly base: OperationsStack;
  readonly shards: readonly OperationsShardStack[];
  /** Name of the environment-wide composite. */
  readonly alarmName: string;
}

/**
 * The environment-wide "degraded" alarm over the base operations stack's roll-up and every shard's,
 * named by literal name from a stack deployed last (shards depend on the base for the topic, so neither
 * can hold it without a cycle). Exists only when the environment has operations shards.
 */
export class OperationsRollupStack extends Stack {
  public readonly rollup: EnvironmentRollup;

  constructor(scope: Construct, id: string, props: OperationsRollupStackProps) {
    super(scope, id, props);
    this.rollup = new EnvironmentRollup(this, 'Rollup', {
      topic: props.base.monitoring.topic,
      alarmName: props.alarmName,
      alarms: [props.base.monitoring.finish(), ...props.shards.map((shard) => shard.monitoring.rollupAlarm)],
    });
  }
}
