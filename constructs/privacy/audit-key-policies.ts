import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** Path and name of the role Macie creates in each account when it is enabled. */
export const MACIE_SERVICE_LINKED_ROLE = 'aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie';

/** The statement ID, so a test (and a reviewer) can find it in the key policy. */
export const MACIE_DECRYPT_SID = 'AllowMacieServiceLinkedRoleToDecrypt';

/**
 * Lets Macie's service-linked role decrypt objects under `key` (AWS documents this statement for
 * buckets with a customer-managed key: without it Macie skips their objects and reports them as
 * unreadable). Macie reads through S3, so the statement only admits requests that come via S3 in this
 * region.
 *
 * The role is named in a condition (`aws:PrincipalArn`), not as the principal: KMS refuses a key policy
 * whose principal does not exist yet, and the role only exists once Macie is enabled, which happens in a
 * later stack (or never, where an Organizations administrator enables it). A condition on a role that
 * does not exist yet is accepted and takes effect when the role appears.
 *
 * Returns false when `key` is imported (its policy cannot be edited here): add the statement to that
 * key's policy yourself.
 */
export function allowMacieToDecrypt(key: kms.IKey): boolean {
  const stack = Stack.of(key);
  const { statementAdded } = key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: MACIE_DECRYPT_SID,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/${MACIE_SERVICE_LINKED_ROLE}` },
        StringEquals: { 'aws:PrincipalAccount': stack.account, 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
      },
    }),
  );
  return statementAdded;
}

/** The statement IDs CloudTrail's key statements carry. */
export const CLOUDTRAIL_KEY_SIDS = { encrypt: 'AllowCloudTrailToEncryptLogs', describe: 'AllowCloudTrailToDescribeKey' } as const;

/**
 * Lets CloudTrail encrypt this account's trail log files with `key` and describe the key (AWS's
 * "Configure AWS KMS key policies for CloudTrail"). Both are bound to trails of this account and region
 * (`aws:SourceArn`); encryption also to the CloudTrail encryption context of this account's trails.
 * Readers decrypt through IAM (the default key policy delegates to the account), so no decrypt
 * statement is added.
 */
export function allowCloudTrailToEncrypt(key: kms.Key): void {
  const stack = Stack.of(key);
  const trails = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/*`;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: CLOUDTRAIL_KEY_SIDS.encrypt,
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:SourceArn': trails, 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: CLOUDTRAIL_KEY_SIDS.describe,
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { ArnLike: { 'aws:SourceArn': trails } },
    }),
  );
}
