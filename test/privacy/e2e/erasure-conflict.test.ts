/**
 * Issue 14, end to end: another writer rewrites one of A's raw objects while the erasure works on it
 * (between rewrite-objects' read and its write: the writer's PUT is sent from inside the SDK pipeline of
 * the handler's S3 client, just before the handler's own PUT). The erasure rolls its write back, the
 * other writer's version stays current and intact, verification fails, the request stays open with its
 * subjects; the next scheduled run (`{}`) claims it again and completes it, forgetting A in the other
 * writer's version too while keeping that writer's other rows.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import * as fs from 'node:fs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../lib/local-lake/engine';
import { erasureWorkflow, type ErasureWorkflow } from './erasure-workflow';
import { DATABASES, startErasureHarness, TODAY, type ErasureHarness } from './harness';
import { currentRows, objectBytes, objectVersions, parquetRows, type ObjectVersions } from './lake-state';
import { captureOutput } from './output-capture';
import { motoS3Client, NAMES } from './services';
import { eventsParquetBytes, lateEvent, rawEventGroups, SUBJECTS } from './subjects-fixture';
import { runWorkflow, type WorkflowRun } from './workflow-runner';

const { A, C } = SUBJECTS;

let h: ErasureHarness;
let workflow: ErasureWorkflow;
let rewriteS3: S3Client;
/** What the other writer put, and the version id S3 gave it. */
let theirs: { bytes: Buffer; versionId: string } | undefined;
let versionsBefore: ObjectVersions;
let first: WorkflowRun;

const requestItem = async () => {
  const ledger = await h.services.s3.send(new ListObjectsV2Command({ Bucket: NAMES.ledgerBucket, Prefix: 'ledger/' }));
  const requestId = /ledger\/\d{4}\/\d{2}\/([0-9a-f]{32})/.exec(ledger.Contents?.[0]?.Key ?? '')?.[1] ?? 'none';
  return { requestId, item: (await h.services.dynamodb.send(new GetItemCommand({ TableName: NAMES.requestTable, Key: { requestId: { S: requestId } }, ConsistentRead: true }))).Item };
};

async function erase(input: unknown, name: string): Promise<WorkflowRun> {
  const capture = captureOutput();
  try {
    return await runWorkflow(workflow.definition, input, name, { functions: workflow.functions, athena: h.athena });
  } finally {
    capture.restore();
  }
}

beforeAll(async () => {
  h = await startErasureHarness();
  // The other writer: a later delivery of the same object (its rows, A's included, plus a new row of C).
  const group = rawEventGroups().find((candidate) => candidate.role === 'aAndB');
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'privacy-e2e-writer-'));
  const bytes = await eventsParquetBytes(staging, DATABASES, TODAY, [...(group?.records ?? []), lateEvent(C, '2026-03-01T14:50:00.000Z')]);
  fs.rmSync(staging, { recursive: true, force: true });
  rewriteS3 = motoS3Client(h.services.moto.endpoint);
  rewriteS3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Key?: string };
      if (theirs === undefined && context.commandName === 'PutObjectCommand' && input.Bucket === NAMES.rawBucket && input.Key === h.raw.aAndB) {
        const written = await h.services.s3.send(new PutObjectCommand({ Bucket: NAMES.rawBucket, Key: h.raw.aAndB, Body: bytes }));
        theirs = { bytes, versionId: written.VersionId as string };
      }
      return next(args);
    },
    { step: 'initialize', name: 'concurrentWriter' },
  );
  workflow = await erasureWorkflow(h, { rewriteS3 });
  versionsBefore = await objectVersions(h.services.s3, NAMES.rawBucket, h.raw.aAndB);
  first = await erase({ requests: [{ subjects: [A], regulation: 'gdpr' }] }, 'erase-a-conflict');
});

afterAll(async () => {
  rewriteS3?.destroy();
  await h?.stop();
});

describe('another writer rewrites an object of A between the erasure reading it and writing it back', () => {
  it('the writer did write in between (else this proves nothing)', () => {
    expect(theirs?.versionId).toMatch(/.+/);
  });

  it("the erasure rolls its own write back: the other writer's version is current and byte-for-byte theirs", async () => {
    const current = await objectBytes(h.services.s3, NAMES.rawBucket, h.raw.aAndB);
    expect(current.equals(theirs?.bytes as Buffer)).toBe(true);
    const after = await objectVersions(h.services.s3, NAMES.rawBucket, h.raw.aAndB);
    // The versions before, plus theirs: ours is gone, nothing of theirs or older was deleted.
    expect([...after.versions].sort()).toEqual([...versionsBefore.versions, theirs?.versionId].sort());
  });

  it('the other objects of A were forgotten as usual', async () => {
    expect((await objectVersions(h.services.s3, NAMES.rawBucket, h.raw.onlyA)).versions).toEqual([]);
    expect((await currentRows(h, h.raw.cAndA)).some((row: Row) => row.user_id === A)).toBe(false);
  });

  it('verification fails, the execution fails, and the request stays open with its subjects to be retried', async () => {
    expect({ status: first.status, error: first.error }).toEqual({ status: 'FAILED', error: 'VerificationFailed' });
    const { item } = await requestItem();
    expect(item?.status).toEqual({ S: 'verification-failed' });
    expect(item?.subjects).toEqual({ SS: [A] });
    expect(item?.attempts).toEqual({ N: '1' });
    expect(item?.lastError?.S).toContain('another writer');
  });

  it("the attempt is in the ledger as failed, naming the conflict (and no subject id)", async () => {
    const ledger = await h.services.s3.send(new ListObjectsV2Command({ Bucket: NAMES.ledgerBucket, Prefix: 'ledger/' }));
    const keys = (ledger.Contents ?? []).map((object) => object.Key as string);
    expect(keys).toEqual([expect.stringMatching(/\.attempt-erase-a-conflict\.json$/)]);
    const entry = (await objectBytes(h.services.s3, NAMES.ledgerBucket, keys[0])).toString('utf8');
    expect(JSON.parse(entry)).toMatchObject({ outcome: 'verification-failed', verification: { passed: false } });
    expect(entry).toContain('changed by another writer');
    expect(entry).not.toContain(A);
  });

  describe('the next scheduled run', () => {
    let retry: WorkflowRun;
    beforeAll(async () => {
      retry = await erase({}, 'erase-a-retry');
    });

    it('claims the open request again and completes it', async () => {
      expect(retry.status).toBe('SUCCEEDED');
      expect(retry.path).not.toContain('Intake');
      const { item } = await requestItem();
      // events_curated lost A's rows in the first attempt: this batch found no Iceberg file to wait for.
      expect(item?.status).toEqual({ S: 'completed' });
      expect(item?.subjects).toBeUndefined();
    });

    it("forgets A in the other writer's version and keeps every other row they wrote", async () => {
      const theirRows = await parquetRows(h, theirs?.bytes as Buffer);
      expect(theirRows.filter((row) => row.user_id === C)).toHaveLength(1);
      expect(await currentRows(h, h.raw.aAndB)).toEqual(theirRows.filter((row) => row.user_id !== A));
      expect((await objectVersions(h.services.s3, NAMES.rawBucket, h.raw.aAndB)).versions).toHaveLength(1);
    });
  });
});
