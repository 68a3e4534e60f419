import { Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * An EventBridge rule target that publishes to `topic`, admitting EventBridge in the topic policy only
 * for that rule (`aws:SourceArn`) in this account (`aws:SourceAccount`). aws-cdk-lib's `SnsTopic` target
 * admits `events.amazonaws.com` unconditionally, and also writes an unconditioned statement into the
 * topic key's policy; the key's own statement (`allowNotificationPublishers`) already admits EventBridge
 * for this account's topics.
 */
export class AccountBoundTopicTarget implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic) {}

  public bind(rule: events.IRuleRef): events.RuleTargetConfig {
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': rule.ruleRef.ruleArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(rule).account },
        },
      }),
    );
    return { arn: this.topic.topicArn, targetResource: this.topic };
  }
}
