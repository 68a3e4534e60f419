/**
 * The request-store and ledger handlers (intake, claim, release, record, deadline-monitor,
 * monthly-report) with the real AWS SDK on moto: DynamoDB request table, versioned work bucket, Object
 * Lock ledger bucket, Secrets Manager salt. Every test captures what the handlers print and checks that
 * no subject id appears in it, in the ledger, or in the work bucket once the batch is over.
 */
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClaim } from '../../constructs/privacy/handlers/claim';
import { createDeadlineMonitor } from '../../constructs/privacy/handlers/deadline-monitor';
import { createIntake } from '../../constructs/privacy/handlers/intake';
import { createMonthlyReport } from '../../constructs/privacy/handlers/monthly-report';
import { createRecord } from '../../constructs/privacy/handlers/record';
import { createRelease } from '../../constructs/privacy/handlers/release';
import { REDACTED, type LedgerEntry } from '../../constructs/privacy/ledger';
import { LedgerNotLockedError } from '../../constructs/privacy/ledger-store';
import { parseRecordInput } from '../../constructs/privacy/record-input';
import { DEFAULT_DEADLINE_DAYS } from '../../constructs/privacy/request';
import { RequestStore } from '../../constructs/privacy/request-store';
import { cachedSalt, loadSalt } from '../../constructs/privacy/salt';
import { subjectHash } from '../../constructs/privacy/subject-hash';
import { subjectsKey } from '../../constructs/privacy/work-files';
import { captureConsole } from '../support/operator-scripts';
import { createLedgerBucket, createRequestTable, createSalt, createWorkBucket, readText, startPrivacyMoto, versionsUnder, type PrivacyMoto } from './harness';

const ALICE = 'alice-4d1f9c@example.com';
const BOB = 'bob-77e2a0@example.com';
const CAROL = 'carol-0b5e13';
const IDS = [ALICE, BOB, CAROL];
const T0 = new Date('2026-11-10T08:00:00.000Z');

/** The November report's Markdown key (built: a literal would read as a Markdown file of this repository). */
const NOVEMBER_MD = `reports/2026-11.${'md'}`;
let env: PrivacyMoto;
beforeAll(async () => {
  env = await startPrivacyMoto();
});
afterAll(async () => {
  await env?.stop();
});

interface World {
  store: RequestStore;
  work: string;
  ledger: string;
  saltArn: string;
  clock: { now: Date };
}
let w: World;

async function world(ledgerOptions: Parameters<typeof createLedgerBucket>[1] = {}): Promise<World> {
  return {
    store: new RequestStore(env.dynamo, await createRequestTable(env.dynamo)),
    work: await createWorkBucket(env.s3),
    ledger: await createLedgerBucket(env.s3, ledgerOptions),
    saltArn: await createSalt(env.secrets),
    clock: { now: T0 },
  };
}
beforeEach(async () => {
  w = await world();
});

const now = () => w.clock.now;
const settings = () => ({ workBucket: w.work, ledgerBucket: w.ledger, ledgerMode: 'governance' as const, ledgerRetentionDays: 3, snapshotRetentionDays: 5 });
const intake = () => createIntake({ store: w.store, salt: cachedSalt(() => loadSalt(env.secrets, w.saltArn)), deadlines: DEFAULT_DEADLINE_DAYS, now });
const claim = () => createClaim({ store: w.store, s3: env.s3, workBucket: w.work, now });
const release = () => createRelease({ store: w.store, s3: env.s3, workBucket: w.work });
const record = () => createRecord({ store: w.store, s3: env.s3, settings: settings(), now });

/** Runs `work` with console output captured; fails if any line holds a subject id. */
async function quietly<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const { result, stdout, stderr } = await captureConsole(work);
  const lines = [...stdout, ...stderr];
  for (const id of IDS) expect(lines.join('\n')).not.toContain(id);
  return { result, lines };
}

async function putJson(key: string, value: unknown) {
  await env.s3.send(new PutObjectCommand({ Bucket: w.work, Key: key, Body: JSON.stringify(value) }));
}

/** Everything stored in a bucket, as one string (current versions). */
async function bucketText(bucket: string): Promise<string> {
  const { Contents = [] } = await env.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const texts = await Promise.all(Contents.map(async (o) => `${o.Key}\n${await readText(env.s3, bucket, String(o.Key))}`));
  return texts.join('\n');
}

/** A batch's results as the state machine would pass them, with the manifests in the work bucket. */
async function batchResults(batchId: string, requestIds: string[], options: { remaining?: number; conflicts?: number; vectorsRemaining?: number } = {}) {
  await putJson(`find/${batchId}/events.json`, {
    dataset: 'events',
    batchId,
    mode: 'find',
    rows: 5,
    objects: [
      { bucket: 'raw', key: 'events/date=2026-11-01/hour=03/part-1.parquet', rows: 3 },
      // A dataset partitioned by the subject column would put the id in the key: the ledger must not keep it.
      { bucket: 'raw', key: `events/user_id=${ALICE}/part-2.parquet`, rows: 2 },
    ],
    partitions: [{ date: '2026-11-01', hour: '03' }],
  });
  await putJson(`forget/${batchId}/events.json`, {
    objects: [{ bucket: 'raw', key: 'events/date=2026-11-01/hour=03/part-1.parquet', outcome: 'rewritten', versionId: 'v-new', rowsRemoved: 3, nested: { ignored: true } },
      { bucket: 'raw', key: `events/user_id=${ALICE}/part-2.parquet`, outcome: 'deleted', rowsRemoved: 2 },
    ],
  });
  await putJson(`find/${batchId}/events_curated.json`, {
    dataset: 'events_curated',
    batchId,
    mode: 'find',
    rows: 4,
    objects: [{ bucket: 'curated', key: 'events_curated/data/00000-1-abc.parquet', rows: 4 }],
    partitions: [{ event_date: '2026-11-01' }],
  });
  return {
    batchId,
    requestIds,
    startedAt: '2026-11-10T09:00:00.000Z',
    find: [
      { dataset: 'events', rows: 5, objectCount: 2, partitions: [], manifestKey: `find/${batchId}/events.json`, queryExecutionId: 'q-find-events' },
      { dataset: 'events_curated', rows: 4, objectCount: 1, partitions: [{ event_date: '2026-11-01' }], manifestKey: `find/${batchId}/events_curated.json`, queryExecutionId: 'q-find-curated', optimizeSql: 'OPTIMIZE …' },
      { dataset: 'client_errors', rows: 0, objectCount: 0, queryExecutionId: 'q-find-client-errors' },
    ],
    forget: [
      { dataset: 'events', objectsRewritten: 1, objectsDeleted: 1, rowsRemoved: 5, versionsRemoved: 2, conflicts: options.conflicts ?? 0, resultKey: `forget/${batchId}/events.json` },
      // What the ErasureWorkflow assigns for an Iceberg dataset (one id per statement, in order).
      { dataset: 'events_curated', kind: 'iceberg', queryExecutionIds: ['q-delete', 'q-optimize', 'q-vacuum'] },
    ],
    vectors: { mode: 'forget', chunks: 6, documents: 2, vacuumed: true },
    verify: [
      { dataset: 'events', rows: options.remaining ?? 0, objectCount: options.remaining ? 1 : 0, partitions: [], manifestKey: `find/${batchId}/events.verify.json`, queryExecutionId: 'q-verify-events' },
      { dataset: 'events_curated', rows: 0, objectCount: 0, partitions: [], manifestKey: `find/${batchId}/events_curated.verify.json`, queryExecutionId: 'q-verify-curated' },
      { dataset: 'client_errors', rows: 0, objectCount: 0, partitions: [], manifestKey: `find/${batchId}/client_errors.verify.json`, queryExecutionId: 'q-verify-client-errors' },
    ],
    vectorsRemaining: { mode: 'verify', chunks: options.vectorsRemaining ?? 0, documents: 0 },
  };
}

describe('intake', () => {
  it('queues valid requests with deadlines, a repeat is a duplicate, and the output holds no subject id', async () => {
    const { result } = await quietly(() => intake()({ requests: [{ subjects: [ALICE, BOB], reference: 'T-1' }, { subjects: [CAROL], regulation: 'ccpa' }] }));
    expect(result.accepted).toEqual([
      { requestId: expect.stringMatching(/^[0-9a-f]{32}$/), deadline: '2026-12-10T08:00:00.000Z', duplicate: false },
      { requestId: expect.stringMatching(/^[0-9a-f]{32}$/), deadline: '2026-12-25T08:00:00.000Z', duplicate: false },
    ]);
    const again = await quietly(() => intake()({ requests: [{ subjects: [BOB, ALICE], reference: 'T-1' }] }));
    expect(again.result.accepted).toEqual([{ ...result.accepted[0], duplicate: true }]);
    expect(JSON.stringify(result)).not.toMatch(/alice|bob|carol/);
  });

  it('one bad request refuses the whole input (nothing queued), naming positions and never ids', async () => {
    const error = await intake()({ requests: [{ subjects: [ALICE] }, { subjects: [BOB, BOB], regulation: 'lgpd' }] }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ErasureRequestError' });
    expect((error as Error).message).toMatch(/requests\[1\]\.subjects\[1\]: got the same id as subject #1 \(subject #2\)/);
    expect((error as Error).message).toMatch(/requests\[1\]\.regulation: got "lgpd"/);
    expect((error as Error).message).not.toMatch(/alice|bob/);
    expect(await w.store.openRequests()).toEqual([]);
    await expect(intake()({})).rejects.toThrow(/requests: got \(missing\); a list of 1-500/);
    await expect(intake()({ requests: [] })).rejects.toThrow(/requests: got a list of 0/);
  });

  it('a salt secret too short is refused before anything is queued', async () => {
    const shortSalt = await createSalt(env.secrets, 'tiny');
    const refused = createIntake({ store: w.store, salt: () => loadSalt(env.secrets, shortSalt), deadlines: DEFAULT_DEADLINE_DAYS, now });
    await expect(refused({ requests: [{ subjects: [ALICE] }] })).rejects.toThrow(/at least 32 characters; got 4/);
    expect(await w.store.openRequests()).toEqual([]);
  });
});

describe('salt', () => {
  it('a failed read is retried on the next use; a binary secret is refused', async () => {
    let calls = 0;
    const salt = cachedSalt(async () => {
      calls += 1;
      if (calls === 1) throw new Error('throttled');
      return loadSalt(env.secrets, w.saltArn);
    });
    await expect(salt()).rejects.toThrow('throttled');
    expect((await salt()).version).toMatch(/.+/);
    await salt();
    expect(calls).toBe(2);
    const { ARN } = await env.secrets.send(new CreateSecretCommand({ Name: `binary-${Date.now()}`, SecretBinary: new Uint8Array(40) }));
    await expect(loadSalt(env.secrets, String(ARN))).rejects.toThrow(/has no string value/);
  });
});

describe('claim and release', () => {
  it('claim writes the subjects file (JSON Lines) and returns counts only; an empty queue claims nothing', async () => {
    expect(await claim()({ batchId: 'empty-1', maxRequests: 50 })).toEqual({ batchId: 'empty-1', requestIds: [], subjectCount: 0, empty: true });
    expect(await versionsUnder(env.s3, w.work, 'subjects/')).toEqual([]);
    const { result: queued } = await quietly(() => intake()({ requests: [{ subjects: [BOB, ALICE] }, { subjects: [ALICE, CAROL] }] }));
    const { result } = await quietly(() => claim()({ batchId: 'b-1', maxRequests: 50 }));
    expect(result).toEqual({ batchId: 'b-1', requestIds: expect.arrayContaining(queued.accepted.map((a) => a.requestId)), subjectCount: 3, empty: false });
    expect(JSON.stringify(result)).not.toMatch(/alice|bob|carol/);
    expect(await readText(env.s3, w.work, subjectsKey('b-1'))).toBe([ALICE, BOB, CAROL].sort().map((s) => `{"subject_id":"${s}"}\n`).join(''));
  });

  it('if the subjects file cannot be written, the claimed requests are released at once and the error raised', async () => {
    const { result: queued } = await quietly(() => intake()({ requests: [{ subjects: [ALICE] }] }));
    const failing = createClaim({ store: w.store, s3: { send: (async () => { throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }); }) as never }, workBucket: w.work, now });
    await expect(quietly(() => failing({ batchId: 'b-nofile', maxRequests: 5 }))).rejects.toThrow('Access Denied');
    expect(await w.store.get(queued.accepted[0].requestId)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'claim could not write the subjects file: AccessDenied: Access Denied' });
  });

  it('refuses a bad batch id or size', async () => {
    await expect(claim()({ batchId: "b'; DROP", maxRequests: 5 })).rejects.toThrow(/batchId .* must be 1-80 letters, digits/);
    await expect(claim()({ batchId: 'b', maxRequests: 0 })).rejects.toThrow(/maxRequests must be a whole number 1-500; got 0/);
    await expect(claim()('x')).rejects.toThrow(/input must be a JSON object/);
    await expect(release()({ batchId: 'b', requestIds: ['nope'], error: 'x' })).rejects.toThrow(/requestIds must be a list of request ids/);
  });

  it('release requeues the batch and deletes every version of its subjects file', async () => {
    const { result: queued } = await quietly(() => intake()({ requests: [{ subjects: [ALICE] }] }));
    const { result: claimed } = await quietly(() => claim()({ batchId: 'b-2', maxRequests: 5 }));
    // A second version of the file (a retried claim) must go too.
    await quietly(() => claim()({ batchId: 'b-2', maxRequests: 5 }));
    expect((await versionsUnder(env.s3, w.work, 'subjects/')).length).toBe(2);
    const { result } = await quietly(() => release()({ batchId: 'b-2', requestIds: claimed.requestIds, error: { Error: 'FindFailed', Cause: 'Athena query q-1 FAILED' } }));
    expect(result).toEqual({ released: 1, subjectVersionsDeleted: 2 });
    expect(await versionsUnder(env.s3, w.work, 'subjects/')).toEqual([]);
    expect(await w.store.get(queued.accepted[0].requestId)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'FindFailed: Athena query q-1 FAILED' });
  });
});

describe('record', () => {
  async function runBatch(batchId: string, options: Parameters<typeof batchResults>[2] = {}) {
    const { result: queued } = await quietly(() => intake()({ requests: [{ subjects: [ALICE, BOB], reference: 'DSR-7' }, { subjects: [CAROL], regulation: 'ccpa' }] }));
    const { result: claimed } = await quietly(() => claim()({ batchId, maxRequests: 10 }));
    w.clock.now = new Date('2026-11-10T10:30:00.000Z');
    const input = await batchResults(batchId, claimed.requestIds, options);
    const run = await quietly(() => record()(input));
    return { queued, claimed, input, ...run };
  }

  it('writes one locked ledger entry per request, closes them, and leaves no subject id anywhere', async () => {
    const { queued, result, lines, input } = await runBatch('b-ok');
    const [aliceBob, carol] = queued.accepted.map((a) => a.requestId);
    expect(result).toEqual({ completed: 0, awaitingPhysicalRemoval: 2, failed: 0, alreadyRecorded: 0, ledgerKeys: [`ledger/2026/11/${aliceBob}.b-ok.json`, `ledger/2026/11/${carol}.b-ok.json`].sort((a, b) => input.requestIds.indexOf(a.slice(16, 48)) - input.requestIds.indexOf(b.slice(16, 48))) });

    const entry = JSON.parse(await readText(env.s3, w.ledger, `ledger/2026/11/${aliceBob}.b-ok.json`)) as LedgerEntry;
    expect(entry).toMatchObject({
      schema: 'lakehouse.erasure-ledger/1',
      requestId: aliceBob,
      outcome: 'awaiting-physical-removal',
      regulation: 'gdpr',
      reference: 'DSR-7',
      receivedAt: T0.toISOString(),
      deadline: '2026-12-10T08:00:00.000Z',
      startedAt: '2026-11-10T09:00:00.000Z',
      finishedAt: '2026-11-10T10:30:00.000Z',
      daysToClose: 0.104,
      deadlineMet: true,
      attempt: 1,
      batch: { batchId: 'b-ok', requestCount: 2 },
      vectors: { chunksDeleted: 6, documentsDeleted: 2, vacuumed: true, verification: { chunksRemaining: 0, documentsRemaining: 0, passed: true } },
      verification: { passed: true, failures: [] },
      pendingPhysicalRemoval: [{ bucket: 'curated', key: 'events_curated/data/00000-1-abc.parquet', notBefore: '2026-11-15T10:30:00.000Z' }],
    });
    // Hashes with the salt version, in the request's (sorted) subject order.
    const salt = await loadSalt(env.secrets, w.saltArn);
    expect(entry.subjects).toEqual([ALICE, BOB].sort().map((id) => ({ hash: subjectHash(salt, id), saltVersion: salt.version })));
    expect(entry.datasets.map((d) => [d.dataset, d.kind, d.rowsFound, d.rowsRemoved, d.verification])).toEqual([
      ['client_errors', 'unknown', 0, 0, { rowsRemaining: 0, passed: true }],
      ['events', 'parquet', 5, 5, { rowsRemaining: 0, passed: true }],
      ['events_curated', 'iceberg', 4, 4, { rowsRemaining: 0, passed: true }],
    ]);
    const events = entry.datasets.find((d) => d.dataset === 'events');
    expect(events).toMatchObject({ objectsRewritten: 1, objectsDeleted: 1, versionsRemoved: 2, conflicts: 0, queryExecutionIds: ['q-find-events', 'q-verify-events'] });
    expect(events?.objects).toEqual([
      { bucket: 'raw', key: 'events/date=2026-11-01/hour=03/part-1.parquet', outcome: 'rewritten', versionId: 'v-new', rowsRemoved: 3 },
      { bucket: 'raw', key: REDACTED, outcome: 'deleted', rowsRemoved: 2 },
    ]);
    const curated = entry.datasets.find((d) => d.dataset === 'events_curated');
    expect(curated?.queryExecutionIds).toEqual(['q-find-curated', 'q-delete', 'q-optimize', 'q-vacuum', 'q-verify-curated']);

    // Object Lock: the bucket default applied (no per-object retention was sent, S3 applied the rule).
    const head = await env.s3.send(new HeadObjectCommand({ Bucket: w.ledger, Key: `ledger/2026/11/${aliceBob}.b-ok.json` }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now());

    // Requests closed: subjects gone from the table, hashes kept.
    expect(await w.store.get(aliceBob)).toMatchObject({ status: 'awaiting-physical-removal', closedAt: '2026-11-10T10:30:00.000Z' });
    const { Items = [] } = await env.dynamo.send(new ScanCommand({ TableName: w.store.tableName }));
    for (const id of IDS) expect(JSON.stringify(Items)).not.toContain(id);

    // Work files of the batch gone, every version.
    expect(await versionsUnder(env.s3, w.work, '')).toEqual([]);
    // No id in the ledger (the subject-partitioned key was redacted), nor in the log lines.
    const ledgerText = await bucketText(w.ledger);
    for (const id of IDS) expect(ledgerText).not.toContain(id);
    expect(ledgerText).toContain(REDACTED);
    expect(lines.some((line) => line.includes('"RequestsErased":2'))).toBe(true);
    // Conflicts are counted where they happen (rewrite-objects), never again by record.
    expect(lines.some((line) => line.includes('RewriteConflicts'))).toBe(false);
    expect(lines.some((line) => line.includes('redacted'))).toBe(true);
  });

  it('a retried record changes nothing: requests already closed, clean-up repeated', async () => {
    const { input, result } = await runBatch('b-retry');
    const again = await quietly(() => record()(input));
    expect(again.result).toEqual({ completed: 0, awaitingPhysicalRemoval: 0, failed: 0, ledgerKeys: [], alreadyRecorded: 2 });
    expect(result.ledgerKeys).toHaveLength(2);
  });

  it('the same request erased twice in one month keeps both ledger entries (the second never overwrites the first)', async () => {
    const first = await runBatch('b-first');
    const second = await runBatch('b-second');
    expect(second.queued.accepted.map((a) => a.duplicate)).toEqual([false, false]);
    expect(second.result.ledgerKeys).toHaveLength(2);
    for (const key of [...first.result.ledgerKeys, ...second.result.ledgerKeys]) expect(JSON.parse(await readText(env.s3, w.ledger, key))).toMatchObject({ batch: { batchId: key.split('.').at(-2) } });
    expect(new Set([...first.result.ledgerKeys, ...second.result.ledgerKeys]).size).toBe(4);
  });

  it('remaining rows fail verification: requests stay open with subjects and lastError, the attempt is in the ledger', async () => {
    const { queued, result } = await runBatch('b-fail', { remaining: 3 });
    expect(result).toMatchObject({ completed: 0, awaitingPhysicalRemoval: 0, failed: 2 });
    const requestId = queued.accepted[0].requestId;
    expect(result.ledgerKeys).toContain(`ledger/2026/11/${requestId}.attempt-b-fail.json`);
    const entry = JSON.parse(await readText(env.s3, w.ledger, `ledger/2026/11/${requestId}.attempt-b-fail.json`)) as LedgerEntry;
    expect(entry).toMatchObject({ outcome: 'verification-failed', verification: { passed: false, failures: ['events: 3 row(s) remain after the forget phase'] }, pendingPhysicalRemoval: [] });
    expect(await w.store.get(requestId)).toMatchObject({ status: 'verification-failed', attempts: 1, lastError: 'events: 3 row(s) remain after the forget phase' });
    // The subjects file is gone even so (the next batch writes its own).
    expect(await versionsUnder(env.s3, w.work, 'subjects/')).toEqual([]);
    expect((await claim()({ batchId: 'b-next', maxRequests: 10 })).requestIds).toHaveLength(2);
  });

  it('a rewrite conflict or remaining vectors keep the requests open', async () => {
    expect((await runBatch('b-conflict', { conflicts: 1 })).result.failed).toBe(2);
    w = await world();
    expect((await runBatch('b-vectors', { vectorsRemaining: 1 })).result.failed).toBe(2);
  });

  it('a bucket without a default retention gets per-object retention; a bucket without Object Lock is refused', async () => {
    w = await world({ defaultRetention: false });
    const { result } = await runBatch('b-object-lock');
    const head = await env.s3.send(new HeadObjectCommand({ Bucket: w.ledger, Key: result.ledgerKeys[0] }));
    expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate]).toEqual(['GOVERNANCE', new Date('2026-11-13T10:30:00.000Z')]);

    w = await world({ lock: false });
    const queued = await intake()({ requests: [{ subjects: [ALICE] }] });
    const claimed = await claim()({ batchId: 'b-unlocked', maxRequests: 10 });
    const failure = await record()(await batchResults('b-unlocked', claimed.requestIds)).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(LedgerNotLockedError);
    expect(await w.store.get(queued.accepted[0].requestId)).toMatchObject({ status: 'running' });
    expect(await versionsUnder(env.s3, w.ledger, '')).toEqual([]);
  });

  it('tells an Iceberg forget result (a list of query ids) from a rewrite-objects output without kind', () => {
    const base = { batchId: 'b', requestIds: [], startedAt: T0.toISOString(), find: [{ dataset: 'e', rows: 1, queryExecutionId: 'q0' }], verify: [{ dataset: 'e', rows: 0, queryExecutionId: 'q3' }] };
    expect(parseRecordInput({ ...base, forget: [{ dataset: 'e', queryExecutionIds: ['q1', 'q2'] }] }).forget).toEqual([{ dataset: 'e', kind: 'iceberg', queryExecutionIds: ['q1', 'q2'] }]);
    expect(parseRecordInput({ ...base, forget: [{ dataset: 'e', objectsRewritten: 0, conflicts: 0 }] }).forget[0].kind).toBe('parquet');
    expect(parseRecordInput({ ...base, vectorsRemaining: { chunks: 0, documents: 2 } }).verifyVectors).toEqual({ chunks: 0, documents: 2 });
  });

  it.each([
    [{ batchId: 'b', requestIds: [], find: [], forget: [], verify: [] }, /startedAt must be an ISO date-time/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), forget: [{ dataset: 'e', kind: 'iceberg', queryExecutionIds: ['x y'] }] }, /forget\[0\]\.queryExecutionIds must be a list of Athena query execution ids/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), forget: [{ dataset: 'e', kind: 'iceberg', queryExecutionIds: 'q1' }] }, /forget\[0\]\.queryExecutionIds must be a list/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), forget: [{ dataset: 'e', kind: 'iceberg', deleteQueryExecutionId: 'q1' }] }, /"deleteQueryExecutionId" is not a field|forget\[0\]\.queryExecutionIds must list the Iceberg statements/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), find: [{ dataset: 'e', rows: 1 }] }, /find\[0\]\.queryExecutionId must be the Athena query execution id/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), verify: [{ dataset: 'e', rows: 0, queryExecutionId: 'q 1' }] }, /verify\[0\]\.queryExecutionId must be the Athena query execution id/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), verifyVectors: { chunks: 0, documents: 0 } }, /"verifyVectors" is not a field of the record input/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), vectorsRemaining: { chunks: 'none' } }, /vectorsRemaining\.chunks must be a whole number/],
    [{ batchId: 'b', requestIds: [], startedAt: 'x', find: 'no' }, /find must be a list/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), find: [{ dataset: 'e' }] }, /find\[0\]\.rows must be a whole number/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), forget: [{ dataset: 'e' }] }, /forget\[0\] has no kind/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), find: [{ dataset: 'e', rows: 1, manifestKey: '../x', queryExecutionId: 'q1' }] }, /find\[0\]\.manifestKey must be a key under find/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), find: [{ dataset: 'e', rows: 1, queryExecutionId: 'q1' }, { dataset: 'e', rows: 2, queryExecutionId: 'q2' }] }, /find: dataset "e" appears twice/],
    [{ batchId: 'b', requestIds: [], startedAt: T0.toISOString(), vectors: { chunks: -1, documents: 0 } }, /vectors\.chunks must be a whole number ≥ 0/],
  ])('refuses a malformed input %#', async (input, message) => {
    await expect(record()(input)).rejects.toThrow(message);
  });
});

describe('deadline monitor', () => {
  it('publishes open, near-deadline and overdue counts as EMF, with request ids but no subject ids', async () => {
    await intake()({ requests: [{ subjects: [ALICE] }, { subjects: [BOB], regulation: 'ccpa' }, { subjects: [CAROL] }] });
    const r = await claim()({ batchId: 'b-mon', maxRequests: 1 });
    await w.store.close(r.requestIds[0], 'b-mon', 'completed', T0);
    // gdpr deadline 2026-12-10T08:00Z; ccpa 2026-12-25T08:00Z. At 2026-12-04T08:00Z the remaining gdpr one is 6 days away.
    w.clock.now = new Date('2026-12-04T08:00:00.000Z');
    const metrics: Array<Record<string, unknown>> = [];
    const monitor = createDeadlineMonitor({ store: w.store, alarmDaysBeforeDeadline: 7, now, emitMetrics: (d) => metrics.push(d) });
    const { result, lines } = await quietly(() => monitor());
    expect(result).toEqual({ openRequests: 2, requestsNearDeadline: 1, overdueRequests: 0 });
    expect(metrics[0]).toMatchObject({ OpenRequests: 2, RequestsNearDeadline: 1, OverdueRequests: 0, _aws: { CloudWatchMetrics: [{ Namespace: 'Lakehouse/Privacy', Dimensions: [[]] }] } });
    expect(lines.join('\n')).toMatch(/nearDeadlineRequestIds/);
    w.clock.now = new Date('2026-12-20T00:00:00.000Z');
    expect(await monitor()).toEqual({ openRequests: 2, requestsNearDeadline: 1, overdueRequests: 1 });
  });
});

describe('monthly report', () => {
  it('reads the month\'s ledger and writes the JSON and Markdown reports (figures per batch counted once)', async () => {
    const { result: queued } = await quietly(() => intake()({ requests: [{ subjects: [ALICE, BOB] }, { subjects: [CAROL], regulation: 'ccpa' }] }));
    const claimed = await claim()({ batchId: 'b-m1', maxRequests: 10 });
    w.clock.now = new Date('2026-11-12T08:00:00.000Z');
    await quietly(async () => record()(await batchResults('b-m1', claimed.requestIds, { remaining: 1 })));
    expect(queued.accepted).toHaveLength(2);
    const retry = await claim()({ batchId: 'b-m2', maxRequests: 10 });
    w.clock.now = new Date('2026-11-14T08:00:00.000Z');
    await quietly(async () => record()(await batchResults('b-m2', retry.requestIds)));
    // Something else under the month is listed, not read as an entry.
    await env.s3.send(new PutObjectCommand({ Bucket: w.ledger, Key: 'ledger/2026/11/notes.txt', Body: 'hello', ChecksumAlgorithm: 'SHA256' }));

    w.clock.now = new Date('2026-12-01T04:00:00.000Z');
    const { result } = await quietly(() => createMonthlyReport({ s3: env.s3, settings: settings(), now })({}));
    expect(result).toEqual({ reportKey: 'reports/2026-11.json', markdownKey: NOVEMBER_MD, entries: 4 });
    const report = JSON.parse(await readText(env.s3, w.ledger, 'reports/2026-11.json'));
    expect(report).toMatchObject({
      month: '2026-11',
      entries: 4,
      closed: 2,
      completed: 0,
      awaitingPhysicalRemoval: 2,
      verificationFailures: 2,
      deadlinesMissed: 0,
      daysToClose: { median: 4, max: 4 },
      byRegulation: { gdpr: { closed: 1, verificationFailures: 1, deadlinesMissed: 0 }, ccpa: { closed: 1, verificationFailures: 1, deadlinesMissed: 0 } },
      byDataset: { events: { rowsFound: 10, rowsRemoved: 10, objectsRewritten: 2, objectsDeleted: 2, batches: 2 }, events_curated: { rowsFound: 8, rowsRemoved: 8, batches: 2 } },
      vectors: { chunksDeleted: 12, documentsDeleted: 4 },
      batches: 2,
      unreadable: ['ledger/2026/11/notes.txt'],
    });
    const markdown = await readText(env.s3, w.ledger, NOVEMBER_MD);
    expect(markdown).toMatch(/^# Erasure report 2026-11\n/);
    expect(markdown).toMatch(/\| verification failures \| 2 \|/);
    expect(markdown).toMatch(/\| events \| 10 \| 10 \| 2 \| 2 \| 2 \|/);
    expect(await env.s3.send(new HeadObjectCommand({ Bucket: w.ledger, Key: NOVEMBER_MD }))).toMatchObject({ ObjectLockMode: 'GOVERNANCE' });
    await expect(createMonthlyReport({ s3: env.s3, settings: settings(), now })({ month: '2026-13' })).rejects.toThrow(/month must be YYYY-MM/);
    // An empty month is a report of zeros, not an error.
    await createMonthlyReport({ s3: env.s3, settings: settings(), now })({ month: '2025-01' });
    expect(JSON.parse(await readText(env.s3, w.ledger, 'reports/2025-01.json'))).toMatchObject({ entries: 0, daysToClose: { median: null, max: null } });
  });
});
