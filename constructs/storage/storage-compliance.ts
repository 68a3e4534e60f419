import { Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * cdk-nag acknowledgements for storage, each one a row of the compliance-decisions table in docs/decisions.md,
 * applied at the scope that table names (each bucket).
 */

const REPLICATION_REASON =
  'DR is AWS Backup copies to the DR region (compliance decisions in docs/decisions.md). S3 replication does not converge: ' +
  'each replica bucket fires the same rule and adds roles with inline policies.';

const ACCESS_LOG_TARGET_REASON =
  'This is the server-access-log target bucket: AWS documents SSE-S3 only for log targets (SSE-KMS targets ' +
  'receive no logs), and a log bucket does not log to itself.';

/** S3BucketReplicationEnabled on one bucket: DR is AWS Backup copies, not replication. */
export function acknowledgeReplicationFinding(bucket: s3.Bucket): void {
  for (const id of [
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'HIPAA.Security-S3BucketReplicationEnabled',
    'PCI.DSS.321-S3BucketReplicationEnabled',
  ]) {
    Validations.of(bucket).acknowledge({ id, reason: REPLICATION_REASON });
  }
}

/** S1, S3BucketLoggingEnabled and S3DefaultEncryptionKMS on the access-log bucket only. */
export function acknowledgeAccessLogBucketFindings(bucket: s3.Bucket): void {
  for (const id of [
    'AwsSolutions-S1',
    'NIST.800.53.R5-S3BucketLoggingEnabled',
    'HIPAA.Security-S3BucketLoggingEnabled',
    'PCI.DSS.321-S3BucketLoggingEnabled',
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'HIPAA.Security-S3DefaultEncryptionKMS',
    'PCI.DSS.321-S3DefaultEncryptionKMS',
  ]) {
    Validations.of(bucket).acknowledge({ id, reason: ACCESS_LOG_TARGET_REASON });
  }
}
