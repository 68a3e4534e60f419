/**
 * Step `record`: turns a batch's results into ledger entries, closes its requests and removes the batch's
 * work files. In this order, so that a retry after any failure completes the job without a second
 * close: (1) the batch's requests still `running` in it are read (none: already recorded, only the
 * clean-up is repeated); (2) the find manifests and forget results are read from the work bucket;
 * (3) one entry per request is written to the Object Lock ledger bucket (subject ids replaced wherever
 * they would appear, see ledger.ts); (4) each request is closed (conditional on still running in this
 * batch); (5) the subjects file and the batch's manifests are deleted with every version.
 *
 * Input: see record-input.ts. Output `{ completed, awaitingPhysicalRemoval, failed, ledgerKeys }`.
 * Metrics (EMF): RequestsErased, VerificationFailures, RewriteConflicts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readPrivacyEnvironment, type PrivacySettings } from '../handler-environment';
import { batchVerdict, ledgerDatasets, ledgerEntry, ledgerKey, pendingPhysicalRemoval, redactSubjects, type BatchManifests, type LedgerObject } from '../ledger';
import { ledgerWriter } from '../ledger-store';
import { printMetrics, privacyMetricsDocument } from '../metrics';
import { parseRecordInput } from '../record-input';
import { RequestStore, type RequestSummary } from '../request-store';
import { jsonLog, type Log } from '../runtime';
import { deleteAllVersions, findPrefix, forgetPrefix, readSubjectsFile, subjectsPrefix, type S3Send } from '../work-files';

export interface RecordDependencies {
  readonly store: RequestStore;
  readonly s3: S3Send;
  readonly settings: Pick<PrivacySettings, 'workBucket' | 'ledgerBucket' | 'ledgerMode' | 'ledgerRetentionDays' | 'snapshotRetentionDays'>;
  readonly now?: () => Date;
  readonly log?: Log;
  readonly emitMetrics?: (document: Record<string, unknown>) => void;
}

export interface RecordOutput {
  readonly completed: number;
  readonly awaitingPhysicalRemoval: number;
  readonly failed: number;
  readonly ledgerKeys: string[];
  /** Requests of this batch already closed by an earlier run of this step (a retry). */
  readonly alreadyRecorded: number;
}

export function createRecord(deps: RecordDependencies): (event: unknown) => Promise<RecordOutput> {
  const log = deps.log ?? jsonLog;
  const emit = deps.emitMetrics ?? printMetrics;
  const now = deps.now ?? (() => new Date());
  const { workBucket, ledgerBucket } = deps.settings;
  return async (event) => {
    const input = parseRecordInput(event);
    const requests: RequestSummary[] = [];
    let alreadyRecorded = 0;
    for (const requestId of input.requestIds) {
      const request = await deps.store.get(requestId);
      if (request?.status === 'running' && request.batchId === input.batchId) requests.push(request);
      else alreadyRecorded += 1;
    }

    const ledgerKeys: string[] = [];
    const counts = { completed: 0, awaitingPhysicalRemoval: 0, failed: 0 };
    const verdict = batchVerdict(input);
    if (requests.length > 0) {
      const subjects = await readSubjectsFile(deps.s3, workBucket, input.batchId);
      const manifests = await readManifests(deps.s3, workBucket, input);
      const finishedAt = now();
      const datasets = ledgerDatasets(input, manifests);
      const pending = verdict.outcome === 'verification-failed' ? [] : pendingPhysicalRemoval(input, manifests, finishedAt, deps.settings.snapshotRetentionDays);
      const write = await ledgerWriter(deps.s3, ledgerBucket, { mode: deps.settings.ledgerMode, retentionDays: deps.settings.ledgerRetentionDays }, now);
      let redactions = 0;
      for (const request of requests) {
        const entry = ledgerEntry(request, { input, verdict, datasets, pending, finishedAt });
        // The hashes are not subject ids; everything else is checked.
        const { subjects: hashes, ...rest } = entry;
        const redacted = redactSubjects(rest, subjects);
        redactions += redacted.redactions;
        const key = ledgerKey(request.requestId, verdict.outcome, input.batchId, finishedAt);
        await write(key, `${JSON.stringify({ ...redacted.value, subjects: hashes }, null, 2)}\n`, 'application/json');
        ledgerKeys.push(key);
      }
      const lastError = verdict.failures.join('; ');
      for (const request of requests) {
        const closed = await deps.store.close(request.requestId, input.batchId, verdict.outcome, finishedAt, lastError || undefined);
        if (!closed) continue;
        if (verdict.outcome === 'completed') counts.completed += 1;
        else if (verdict.outcome === 'awaiting-physical-removal') counts.awaitingPhysicalRemoval += 1;
        else counts.failed += 1;
      }
      if (redactions > 0) log('ledger strings that held a subject id were redacted', { batchId: input.batchId, redactions });
    }

    const deleted = {
      subjects: await deleteAllVersions(deps.s3, workBucket, subjectsPrefix(input.batchId)),
      find: await deleteAllVersions(deps.s3, workBucket, findPrefix(input.batchId)),
      forget: await deleteAllVersions(deps.s3, workBucket, forgetPrefix(input.batchId)),
    };
    // RewriteConflicts is emitted by rewrite-objects, once per dataset as it happens; adding the batch's
    // total here would count every conflict twice.
    emit(privacyMetricsDocument({ RequestsErased: counts.completed + counts.awaitingPhysicalRemoval, VerificationFailures: counts.failed }, now().getTime()));
    log('batch recorded', {
      batchId: input.batchId,
      outcome: requests.length > 0 ? verdict.outcome : 'already-recorded',
      ...counts,
      alreadyRecorded,
      failures: verdict.failures,
      ledgerKeys,
      workVersionsDeleted: deleted,
    });
    return { ...counts, ledgerKeys, alreadyRecorded };
  };
}

/** The objects each dataset's find manifest and forget result list (primitive fields only). */
async function readManifests(s3: S3Send, bucket: string, input: ReturnType<typeof parseRecordInput>): Promise<BatchManifests> {
  const findObjects = new Map<string, LedgerObject[]>();
  const forgetObjects = new Map<string, LedgerObject[]>();
  for (const found of input.find) {
    if (found.manifestKey) findObjects.set(found.dataset, objectsOf(await readJson(s3, bucket, found.manifestKey)));
  }
  for (const forgotten of input.forget) {
    if (forgotten.resultKey) forgetObjects.set(forgotten.dataset, objectsOf(await readJson(s3, bucket, forgotten.resultKey)));
  }
  return { findObjects, forgetObjects };
}

async function readJson(s3: S3Send, bucket: string, key: string): Promise<unknown> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = String(await response.Body?.transformToString('utf-8'));
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`s3://${bucket}/${key} is not JSON`);
  }
}

function objectsOf(manifest: unknown): LedgerObject[] {
  const objects = (manifest as { objects?: unknown })?.objects;
  if (!Array.isArray(objects)) return [];
  return objects
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null)
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) as LedgerObject);
}

let cached: ((event: unknown) => Promise<RecordOutput>) | undefined;

export async function handler(event: unknown): Promise<RecordOutput> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['requestsTable', 'workBucket', 'ledgerBucket']);
    cached = createRecord({ store: new RequestStore(new DynamoDBClient({}), settings.requestsTable), s3: new S3Client({}), settings });
  }
  return cached(event);
}
