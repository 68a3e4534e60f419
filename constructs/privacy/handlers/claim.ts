/**
 * Step `claim`: up to `maxRequests` claimable requests become `running` for this batch (conditional
 * updates: a request another batch holds is never taken), and their subject ids are written to the
 * batch's subjects file in the work bucket, where the find and forget steps read them. The output has
 * counts and request ids only. If the file cannot be written, the claimed requests are released again
 * before the error is raised (they would otherwise sit `running` until the stale-claim limit).
 *
 * Input `{ batchId, maxRequests }`; output `{ batchId, requestIds, subjectCount, empty }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { readPrivacyEnvironment } from '../handler-environment';
import { RequestStore } from '../request-store';
import { describeError, inputObject, jsonLog, wholeNumber, type Log } from '../runtime';
import { checkBatchId, writeSubjectsFile, type S3Send } from '../work-files';

export const MAX_BATCH_SIZE = 500;

export interface ClaimDependencies {
  readonly store: RequestStore;
  readonly s3: S3Send;
  readonly workBucket: string;
  readonly now?: () => Date;
  readonly log?: Log;
}

export interface ClaimOutput {
  readonly batchId: string;
  readonly requestIds: string[];
  readonly subjectCount: number;
  readonly empty: boolean;
}

export function createClaim(deps: ClaimDependencies): (event: unknown) => Promise<ClaimOutput> {
  const log = deps.log ?? jsonLog;
  return async (event) => {
    const input = inputObject(event, 'claim');
    const batchId = checkBatchId(input.batchId);
    const maxRequests = wholeNumber(input.maxRequests, 'maxRequests', 1, MAX_BATCH_SIZE);
    const claimed = await deps.store.claim(batchId, maxRequests, (deps.now ?? (() => new Date()))());
    const requestIds = claimed.map((c) => c.requestId);
    if (claimed.length === 0) {
      log('nothing to erase', { batchId });
      return { batchId, requestIds, subjectCount: 0, empty: true };
    }
    const subjects = [...new Set(claimed.flatMap((c) => c.subjects))];
    try {
      await writeSubjectsFile(deps.s3, deps.workBucket, batchId, subjects);
    } catch (error) {
      const released = await deps.store.release(batchId, requestIds, `claim could not write the subjects file: ${describeError(error)}`);
      log('subjects file not written; requests released', { batchId, released, error: describeError(error) });
      throw error;
    }
    log('requests claimed', { batchId, requests: requestIds.length, subjects: subjects.length, requestIds });
    return { batchId, requestIds, subjectCount: subjects.length, empty: false };
  };
}

let cached: ((event: unknown) => Promise<ClaimOutput>) | undefined;

export async function handler(event: unknown): Promise<ClaimOutput> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['requestsTable', 'workBucket']);
    cached = createClaim({ store: new RequestStore(new DynamoDBClient({}), settings.requestsTable), s3: new S3Client({}), workBucket: settings.workBucket });
  }
  return cached(event);
}
