import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AccountBoundTopicTarget } from '../monitoring/topic-target';
import { FINDING_SEVERITIES, type FindingSeverity } from './audit-limits';

/** The severities at or above `minimum`, as Macie writes them in `detail.severity.description`. */
export function severitiesFrom(minimum: FindingSeverity): FindingSeverity[] {
  return FINDING_SEVERITIES.slice(FINDING_SEVERITIES.indexOf(minimum));
}

/**
 * The EventBridge pattern of Macie findings about `bucketNames` at `minimumSeverity` or above: both
 * sensitive-data findings (from the classification job, or from automated discovery if an administrator
 * turned it on) and policy findings (a bucket made public or unencrypted), since both concern the lake.
 */
export function piiFindingPattern(bucketNames: readonly string[], minimumSeverity: FindingSeverity): events.EventPattern {
  return {
    source: ['aws.macie'],
    detailType: ['Macie Finding'],
    detail: {
      severity: { description: severitiesFrom(minimumSeverity) },
      resourcesAffected: { s3Bucket: { name: [...bucketNames] } },
    },
  };
}

/** Properties of {@link PiiFindingsRoute}. */
export interface PiiFindingsRouteProps {
  /** The pattern to route, usually `PiiDiscovery.findingPattern`. */
  readonly pattern: events.EventPattern;
  /** The alarm topic. If KMS-encrypted, its key policy must admit `events.amazonaws.com` (constructs/keys `allowNotificationPublishers`). */
  readonly topic: sns.ITopic;
}

/**
 * An EventBridge rule sending Macie findings to the alarm topic. A construct of its own so that an app
 * can place it next to the topic (this app: the operations stack, which reads every stack and is read
 * by none) while PII discovery lives in the privacy stack. EventBridge may publish only for this rule,
 * in this account (`AccountBoundTopicTarget`).
 */
export class PiiFindingsRoute extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: PiiFindingsRouteProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Amazon Macie findings about the lake buckets (PII discovered, bucket policy changes) to the alarm topic',
      eventPattern: props.pattern,
      targets: [new AccountBoundTopicTarget(props.topic)],
    });
  }
}
