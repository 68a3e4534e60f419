import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets CloudWatch Logs in this account and region use `key` for log groups.
 *
 * A `logs.LogGroup` with an `encryptionKey` does not add this statement itself (aws-cdk #28304), and
 * without it log-group creation fails with "The specified KMS key does not exist or is not allowed".
 * The condition limits the key to log groups of this account and region.
 */
export function allowCloudWatchLogs(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsInThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
}

/** Services that publish to the alarm topic: CloudWatch alarms, EventBridge rules, AWS Backup notifications. */
export const NOTIFICATION_PUBLISHERS = ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 'backup.amazonaws.com'] as const;

/**
 * Lets the services that publish to a KMS-encrypted SNS topic use `key` for it. SNS encrypts with the
 * publisher's permission, so each publishing service needs Decrypt and GenerateDataKey in the key policy
 * (an AWS-managed `aws/sns` key cannot be given this).
 *
 * The condition is the encryption context SNS always sends, the topic's ARN, limited to topics of this
 * account and region: that keeps the key to our topics without `aws:SourceAccount`/`aws:SourceArn`,
 * which EventBridge does not pass to KMS for SNS delivery (a condition that does not match would
 * silently drop every notification).
 */
export function allowNotificationPublishers(key: kms.Key, services: readonly string[] = NOTIFICATION_PUBLISHERS): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowAlarmPublishersThroughSns',
      principals: services.map((service) => new iam.ServicePrincipal(service)),
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:sns:topicArn': `arn:${stack.partition}:sns:${stack.region}:${stack.account}:*` },
      },
    }),
  );
}

/**
 * Denies creating grants on `key` unless an AWS service creates them for an AWS resource (RDS,
 * AWS Backup, Secrets Manager and the like do) or the caller is an AWS service principal. The default key
 * policy delegates to IAM, so any role with `kms:CreateGrant` could otherwise hand the key to a principal the
 * key policy never names; a Deny in the key policy wins over every Allow. `BoolIfExists` also denies a request
 * that lacks a key. This is the statement AWS Control Tower's CT.KMS.PR.3 asks for, word for word.
 */
export function denyGrantsExceptForAwsResources(key: kms.Key): kms.Key {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
  return key;
}
