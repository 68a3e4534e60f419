import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Lets EventBridge send to SQS queues encrypted with `key`. SQS encrypts with the sender's permission, so
 * EventBridge needs GenerateDataKey and Decrypt in the key policy (an AWS-managed `aws/sqs` key cannot be
 * given this, which is why the queue has a customer-managed key).
 *
 * The condition is the encryption context SQS sends with every data-key request, the queue's ARN
 * (`aws:sqs:arn`), limited to queues of this account and region. [unverified offline: the context key name
 * is from the SQS developer guide's "Encryption context" section; a condition that never matches would make
 * every delivery fail into the rule's dead-letter queue, which the DLQ alarm reports.]
 */
export function allowEventBridgeToQueues(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeToEncryptedQueues',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:sqs:arn': `arn:${stack.partition}:sqs:${stack.region}:${stack.account}:*` },
      },
    }),
  );
}
