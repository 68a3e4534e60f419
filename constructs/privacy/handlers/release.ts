/**
 * Step `release` (the find phase failed, or the ELT guard gave up): this batch's requests go back to
 * `queued` with `attempts + 1` and the error as `lastError`, and the batch's subjects file is deleted
 * with every version. Nothing in the lake was changed before this step, so nothing is undone.
 *
 * Input `{ batchId, requestIds, error }` (`error`: a Step Functions Catch `{ Error, Cause }` or a string);
 * output `{ released, subjectVersionsDeleted }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { readPrivacyEnvironment } from '../handler-environment';
import { RequestStore } from '../request-store';
import { checkRequestIds, errorText, inputObject, jsonLog, type Log } from '../runtime';
import { checkBatchId, deleteAllVersions, subjectsPrefix, type S3Send } from '../work-files';

export interface ReleaseDependencies {
  readonly store: RequestStore;
  readonly s3: S3Send;
  readonly workBucket: string;
  readonly log?: Log;
}

export interface ReleaseOutput {
  readonly released: number;
  readonly subjectVersionsDeleted: number;
}

export function createRelease(deps: ReleaseDependencies): (event: unknown) => Promise<ReleaseOutput> {
  const log = deps.log ?? jsonLog;
  return async (event) => {
    const input = inputObject(event, 'release');
    const batchId = checkBatchId(input.batchId);
    const requestIds = checkRequestIds(input.requestIds);
    const error = errorText(input.error ?? 'released without an error');
    // Requests first: if the file deletion fails, the retry still finds the file, and the requests are
    // already claimable (release is idempotent: a released request is no longer running in this batch).
    const released = await deps.store.release(batchId, requestIds, error);
    const subjectVersionsDeleted = await deleteAllVersions(deps.s3, deps.workBucket, subjectsPrefix(batchId));
    log('batch released', { batchId, released, requestIds, subjectVersionsDeleted });
    return { released, subjectVersionsDeleted };
  };
}

let cached: ((event: unknown) => Promise<ReleaseOutput>) | undefined;

export async function handler(event: unknown): Promise<ReleaseOutput> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['requestsTable', 'workBucket']);
    cached = createRelease({ store: new RequestStore(new DynamoDBClient({}), settings.requestsTable), s3: new S3Client({}), workBucket: settings.workBucket });
  }
  return cached(event);
}
