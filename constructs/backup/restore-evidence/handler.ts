/**
 * Restore evidence: invoked by EventBridge on every AWS Backup `Restore Job State Change`. For a job that
 * reached COMPLETED, FAILED or ABORTED (read back with DescribeRestoreJob, so the event's own field names
 * do not matter), it
 * 1. computes the restore's duration (creation to completion) and publishes `RestoreDurationMinutes`;
 * 2. validates the restored copy, simply and honestly:
 *    - S3 (`arn:…:s3:::bucket`): the bucket lists at least one object and the first one reads;
 *    - RDS (`arn:…:rds:…:db:id`): the instance exists and is `available`;
 *    - a failed or aborted job fails validation; another resource type is not validated (no metric);
 * 3. publishes `RestoreValidationFailed` (0 or 1) and, for a restore test (`CreatedBy.RestoreTestingPlanArn`)
 *    that completed, reports the result to AWS Backup with PutRestoreValidationResult.
 * Dimension of both metrics: `ResourceType` (`S3`, `RDS`, …).
 */
import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand, type DescribeRestoreJobCommandOutput } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  BACKUP_METRIC_NAMESPACE,
  RESOURCE_TYPE_DIMENSION,
  RESTORE_DURATION_METRIC,
  RESTORE_VALIDATION_FAILED_METRIC,
  TERMINAL_RESTORE_STATES,
} from '../recovery-metrics';

export interface RestoreJobEvent {
  readonly 'detail-type'?: string;
  readonly detail?: { readonly restoreJobId?: string; readonly [key: string]: unknown };
}

export interface Validation {
  readonly passed: boolean;
  readonly message: string;
}

export interface RestoreEvidence {
  readonly restoreJobId: string;
  readonly status: string;
  readonly resourceType?: string;
  readonly createdResourceArn?: string;
  /** Absent while the job is not finished (nothing published). */
  readonly durationMinutes?: number;
  /** Absent for a resource type this function cannot validate. */
  readonly validation?: Validation;
  /** Whether the result was reported to AWS Backup (restore tests only). */
  readonly reported: boolean;
  readonly metricsPublished: number;
}

export interface RestoreEvidenceDependencies {
  readonly backup?: BackupClient;
  readonly cloudwatch?: CloudWatchClient;
  readonly s3?: S3Client;
  readonly rds?: RDSClient;
  /** @default Date.now (end time of a job without a completion date) */
  readonly now?: () => number;
  /** @default console.log */
  readonly log?: (message: string) => void;
}

/** PutRestoreValidationResult's message; AWS documents no limit, so keep it to a readable line. */
const MAX_MESSAGE = 1000;

/** Validates a completed restore's copy by its ARN. Undefined when the type is not validated here. */
export async function validateRestoredResource(
  clients: { readonly s3: S3Client; readonly rds: RDSClient },
  arn: string | undefined,
): Promise<Validation | undefined> {
  if (!arn) return { passed: false, message: 'the restore job names no created resource' };
  const bucket = /^arn:aws[a-z-]*:s3:::([^/]+)$/.exec(arn)?.[1];
  if (bucket) {
    try {
      const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
      const first = listed.Contents?.[0]?.Key;
      if (!first) return { passed: false, message: `restored bucket ${bucket} lists no objects` };
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: first, Range: 'bytes=0-0' }));
      await object.Body?.transformToByteArray();
      const count = listed.IsTruncated ? `more than ${listed.KeyCount}` : String(listed.KeyCount);
      return { passed: true, message: `restored bucket ${bucket}: ${count} objects listed, ${first} readable` };
    } catch (error) {
      return { passed: false, message: `restored bucket ${bucket}: ${(error as Error).name}: ${(error as Error).message}` };
    }
  }
  const instance = /^arn:aws[a-z-]*:rds:[^:]+:\d{12}:db:(.+)$/.exec(arn)?.[1];
  if (instance) {
    try {
      const described = await clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instance }));
      const status = described.DBInstances?.[0]?.DBInstanceStatus;
      return status === 'available'
        ? { passed: true, message: `restored instance ${instance} is available` }
        : { passed: false, message: `restored instance ${instance} is ${status ?? 'missing'}, not available` };
    } catch (error) {
      return { passed: false, message: `restored instance ${instance}: ${(error as Error).name}: ${(error as Error).message}` };
    }
  }
  return undefined;
}

/** Minutes from creation to completion (or `now` when AWS gave no completion date), to 0.1 minute. */
export function restoreDurationMinutes(job: Pick<DescribeRestoreJobCommandOutput, 'CreationDate' | 'CompletionDate'>, now: number): number | undefined {
  if (!job.CreationDate) return undefined;
  const end = job.CompletionDate?.getTime() ?? now;
  return Math.max(0, Math.round((end - job.CreationDate.getTime()) / 6_000) / 10);
}

/** Builds the handler; tests inject clients and clock. */
export function createHandler(deps: RestoreEvidenceDependencies = {}): (event: RestoreJobEvent) => Promise<RestoreEvidence> {
  const log = deps.log ?? ((message: string) => console.log(message));
  const now = deps.now ?? (() => Date.now());
  let { backup, cloudwatch, s3, rds } = deps;
  return async (event) => {
    const restoreJobId = event?.detail?.restoreJobId;
    if (typeof restoreJobId !== 'string' || restoreJobId === '') throw new Error('the event carries no detail.restoreJobId');
    backup ??= new BackupClient({});
    cloudwatch ??= new CloudWatchClient({});
    s3 ??= new S3Client({});
    rds ??= new RDSClient({});

    const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
    const status = String(job.Status);
    const base = { restoreJobId, status, resourceType: job.ResourceType, createdResourceArn: job.CreatedResourceArn };
    if (!TERMINAL_RESTORE_STATES.includes(status)) {
      const pending: RestoreEvidence = { ...base, reported: false, metricsPublished: 0 };
      log(JSON.stringify(pending));
      return pending;
    }

    const durationMinutes = restoreDurationMinutes(job, now());
    const validation =
      status === 'COMPLETED'
        ? await validateRestoredResource({ s3, rds }, job.CreatedResourceArn)
        : { passed: false, message: `restore job ${status}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}` };

    const dimensions = [{ Name: RESOURCE_TYPE_DIMENSION, Value: job.ResourceType ?? 'unknown' }];
    const timestamp = job.CompletionDate ?? new Date(now());
    const data: MetricDatum[] = [];
    if (durationMinutes !== undefined) data.push({ MetricName: RESTORE_DURATION_METRIC, Dimensions: dimensions, Timestamp: timestamp, Value: durationMinutes, Unit: 'None' });
    if (validation) data.push({ MetricName: RESTORE_VALIDATION_FAILED_METRIC, Dimensions: dimensions, Timestamp: timestamp, Value: validation.passed ? 0 : 1, Unit: 'Count' });
    if (data.length > 0) await cloudwatch.send(new PutMetricDataCommand({ Namespace: BACKUP_METRIC_NAMESPACE, MetricData: data }));

    // AWS Backup takes validation results for restore tests; a failed job has no copy to validate.
    const reported = status === 'COMPLETED' && validation !== undefined && job.CreatedBy?.RestoreTestingPlanArn !== undefined;
    if (reported) {
      await backup.send(
        new PutRestoreValidationResultCommand({
          RestoreJobId: restoreJobId,
          ValidationStatus: validation.passed ? 'SUCCESSFUL' : 'FAILED',
          ValidationStatusMessage: validation.message.slice(0, MAX_MESSAGE),
        }),
      );
    }
    const evidence: RestoreEvidence = { ...base, durationMinutes, validation, reported, metricsPublished: data.length };
    log(JSON.stringify(evidence));
    return evidence;
  };
}

export const handler = createHandler();
