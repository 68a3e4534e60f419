import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface WorkgroupOptions {
  readonly name: string;
  readonly resultsBucket: s3.IBucket;
  /** Key query results are encrypted with (SSE_KMS). */
  readonly resultsKey: kms.IKey;
  /** Athena cancels queries scanning more than this (bytes, ≥ 10 MB). */
  readonly bytesScannedCutoffPerQuery: number;
  /** Allow CloudFormation to delete the workgroup with its named queries and history. */
  readonly recursiveDelete: boolean;
}

/** Smallest cutoff Athena accepts (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

/** Where a workgroup's results go: its own prefix of the results bucket. */
export const resultsPrefix = (workgroup: string) => `${workgroup}/`;

/**
 * An Athena workgroup whose settings clients cannot override: engine version 3, results under its own
 * prefix encrypted with SSE_KMS, CloudWatch metrics on (they are off by default for workgroups created
 * through CloudFormation), and a per-query scan cutoff.
 */
export function createWorkgroup(scope: Construct, id: string, options: WorkgroupOptions): athena.CfnWorkGroup {
  if (options.bytesScannedCutoffPerQuery < MIN_BYTES_SCANNED_CUTOFF) {
    throw new Error(`workgroup ${options.name}: bytesScannedCutoffPerQuery must be at least ${MIN_BYTES_SCANNED_CUTOFF} (Athena minimum)`);
  }
  const workgroup = new athena.CfnWorkGroup(scope, id, {
    name: options.name,
    description: `Lakehouse queries (${options.name}); settings enforced`,
    state: 'ENABLED',
    recursiveDeleteOption: options.recursiveDelete,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: options.bytesScannedCutoffPerQuery,
      requesterPaysEnabled: false,
      engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      resultConfiguration: {
        outputLocation: `s3://${options.resultsBucket.bucketName}/${resultsPrefix(options.name)}`,
        expectedBucketOwner: Stack.of(scope).account,
        encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: options.resultsKey.keyArn },
      },
    },
  });
  // History and named queries are operational, not data; a workgroup is recreated freely.
  workgroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
  return workgroup;
}
