import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRewriteObjects, handler, maxObjectBytes, RewriteIncompleteError, rewriteObjectsFromEnvironment, type RewriteObjectsDependencies } from '../../constructs/privacy/handlers/rewrite-objects';
import { RewriteInputError } from '../../constructs/privacy/rewrite-inputs';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { openDuck, type Duck } from './duckdb-parquet';
import { createBucket, listVersions, motoS3, put } from './moto-s3';

const LAKE = 'lake-raw-handler';
const WORK = 'privacy-work-handler';
const SUBJECT = 'subject-7f3a';
const OTHER = 'subject-b2';
let moto: MotoServer;
let duck: Duck;
let s3: S3Client;
let files: Record<'mixed' | 'only' | 'none', Uint8Array>;

beforeAll(async () => {
  [moto, duck] = await Promise.all([startMotoServer(), openDuck()]);
  s3 = motoS3(moto);
  await createBucket(s3, LAKE);
  await createBucket(s3, WORK);
  const write = async (name: string, select: string) => {
    const path = join(duck.folder, `${name}.parquet`);
    await duck.connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet, COMPRESSION snappy)`);
    return readFileSync(path);
  };
  files = {
    mixed: await write('mixed', `SELECT CASE WHEN i % 3 = 0 THEN '${SUBJECT}' ELSE '${OTHER}' END AS user_id, 'page_view' AS event, i AS n FROM range(30) t(i)`),
    only: await write('only', `SELECT '${SUBJECT}' AS user_id, 'signup' AS event, i AS n FROM range(4) t(i)`),
    none: await write('none', `SELECT '${OTHER}' AS user_id, 'click' AS event, i AS n FROM range(5) t(i)`),
  };
});
afterAll(async () => {
  duck?.connection.closeSync();
  await moto?.stop();
});

interface Captured {
  readonly logs: string[];
  readonly metrics: Record<string, unknown>[];
}

function handlerFor(batchId: string, extra: Partial<RewriteObjectsDependencies> = {}): { run: (input: unknown) => ReturnType<ReturnType<typeof createRewriteObjects>>; captured: Captured } {
  const captured: Captured = { logs: [], metrics: [] };
  const run = createRewriteObjects({
    s3,
    workBucket: WORK,
    maxObjectBytes: 1024 * 1024,
    now: () => new Date('2026-03-05T03:00:00Z'),
    log: (message, fields) => captured.logs.push(JSON.stringify({ message, ...fields })),
    emitMetrics: (document) => captured.metrics.push(document),
    ...extra,
  });
  return { run: (input) => run(input ?? { batchId, dataset: 'events', bucket: LAKE, keyColumns: ['user_id'], manifestKey: `find/${batchId}/events.json` }), captured };
}

/** Lake objects under the batch's own prefix, its subjects file and its find manifest. */
async function seedBatch(batchId: string, objects: Array<{ name: string; body?: Uint8Array; rows: number }>): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const object of objects) {
    const key = `events/${batchId}/year=2026/month=03/day=01/hour=04/${object.name}.parquet`;
    keys[object.name] = key;
    if (object.body) {
      await put(s3, { Bucket: LAKE, Key: key, Body: 'an older version' });
      await put(s3, { Bucket: LAKE, Key: key, Body: object.body });
    }
  }
  await put(s3, { Bucket: WORK, Key: `subjects/batch_id=${batchId}/subjects.json`, Body: `{"subject_id":"${SUBJECT}"}\n\n{"subject_id":"someone-absent"}\n` });
  const manifest = { dataset: 'events', batchId, mode: 'find', rows: 99, objects: objects.map((object) => ({ bucket: LAKE, key: keys[object.name], rows: object.rows })), partitions: [] };
  await put(s3, { Bucket: WORK, Key: `find/${batchId}/events.json`, Body: JSON.stringify(manifest) });
  return keys;
}

async function text(bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

describe('rewrite-objects handler (moto S3)', () => {
  it('rewrites, deletes and leaves objects per their rows; writes the result file; returns the summary; no subject id anywhere', async () => {
    const lz4 = readFileSync(join(__dirname, 'fixtures', 'parquet-testing', 'hadoop_lz4_compressed.parquet'));
    const keys = await seedBatch('batch-happy', [
      { name: 'mixed', body: files.mixed, rows: 10 },
      { name: 'only', body: files.only, rows: 4 },
      { name: 'none', body: files.none, rows: 0 },
      { name: 'lz4', body: lz4, rows: 1 },
      { name: 'vanished', rows: 2 },
    ]);
    const { run, captured } = handlerFor('batch-happy');
    const output = await run(undefined);
    expect(output).toEqual({
      dataset: 'events',
      objectsRewritten: 1,
      objectsDeleted: 1,
      rowsRemoved: 14,
      versionsRemoved: 4,
      conflicts: 0,
      resultKey: 'forget/batch-happy/events.json',
      objectsUnchanged: 1,
      unsupported: 1,
      notFound: 1,
      failed: 0,
    });
    expect((await listVersions(s3, LAKE, keys.only)).versions).toEqual([]);
    expect((await listVersions(s3, LAKE, keys.mixed)).versions).toHaveLength(1);
    expect((await listVersions(s3, LAKE, keys.none)).versions).toHaveLength(2);

    const result = await text(WORK, 'forget/batch-happy/events.json');
    const parsed = JSON.parse(result) as { objects: Array<{ key: string; outcome: string; rowsFound: number }> };
    expect(parsed.objects.map((object) => [object.key, object.outcome, object.rowsFound])).toEqual([
      [keys.mixed, 'rewritten', 10],
      [keys.only, 'deleted', 4],
      [keys.none, 'unchanged', 0],
      [keys.lz4, 'unsupported', 1],
      [keys.vanished, 'not-found', 2],
    ]);
    expect(captured.metrics).toEqual([expect.objectContaining({ RewriteConflicts: 0 })]);
    expect(captured.metrics[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Lakehouse/Privacy', Metrics: [{ Name: 'RewriteConflicts', Unit: 'Count' }] }] } });
    for (const written of [result, ...captured.logs, JSON.stringify(output), JSON.stringify(captured.metrics)]) {
      expect(written).not.toContain(SUBJECT);
      expect(written).not.toContain('someone-absent');
    }
  });

  it('an S3 error on one object is recorded as failed, the others still processed, and then the task fails', async () => {
    const keys = await seedBatch('batch-denied', [
      { name: 'mixed', body: files.mixed, rows: 10 },
      { name: 'denied', body: files.mixed, rows: 10 },
    ]);
    const denied = motoS3(moto);
    denied.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'GetObjectCommand' && input.Key === keys.denied) {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'deny-one-key' },
    );
    const { run } = handlerFor('batch-denied', { s3: denied });
    const error = (await run(undefined).then(
      () => new Error('expected a failure'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(RewriteIncompleteError);
    expect(error.message).toMatch(/1 of 2 objects of events could not be processed/);
    const result = JSON.parse(await text(WORK, 'forget/batch-denied/events.json')) as { objects: Array<{ outcome: string; error?: string }> };
    expect(result.objects.map((object) => object.outcome)).toEqual(['rewritten', 'failed']);
    expect(result.objects.find((object) => object.outcome === 'failed')?.error).toBe('AccessDenied: Access Denied');
  });

  it('counts a conflict and emits it as RewriteConflicts', async () => {
    const keys = await seedBatch('batch-conflict', [{ name: 'mixed', body: files.mixed, rows: 10 }]);
    const racing = motoS3(moto);
    let raced = false;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && (args.input as { Key?: string }).Key === keys.mixed && !raced) {
          raced = true;
          await put(s3, { Bucket: LAKE, Key: keys.mixed, Body: files.none });
        }
        return next(args);
      },
      { step: 'initialize', name: 'race-one-key' },
    );
    const { run, captured } = handlerFor('batch-conflict', { s3: racing });
    expect(await run(undefined)).toMatchObject({ conflicts: 1, objectsRewritten: 0, rowsRemoved: 0 });
    expect(captured.metrics[0]).toMatchObject({ RewriteConflicts: 1 });
  });

  it('the Lambda entry point reads WORK_BUCKET and the memory size, and refuses without the bucket', async () => {
    expect(() => rewriteObjectsFromEnvironment({})).toThrow(/WORK_BUCKET is not set/);
    expect(typeof rewriteObjectsFromEnvironment({ WORK_BUCKET: WORK, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lots', AWS_REGION: 'us-east-1' })).toBe('function');
    vi.stubEnv('WORK_BUCKET', WORK);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    // Refused before any S3 call, so no endpoint is needed.
    await expect(handler({ batchId: 'b' })).rejects.toThrow(RewriteInputError);
  });

  it('derives the object size limit from the function memory', () => {
    expect(maxObjectBytes(3008)).toBe(Math.floor((3008 * 1024 * 1024) / 40));
    expect(maxObjectBytes(10240)).toBe(256 * 1024 * 1024);
  });
});

describe('rewrite-objects refuses bad input before touching any object', () => {
  const good = { batchId: 'batch-1', dataset: 'events', bucket: LAKE, keyColumns: ['user_id'], manifestKey: 'find/batch-1/events.json' };
  it.each([
    ['not an object', 'events', /\(root\)/],
    ['a bad batch id', { ...good, batchId: "x' OR 1=1" }, /batchId: got "x' OR 1=1"/],
    ['no key columns', { ...good, keyColumns: [] }, /keyColumns/],
    ['a key column twice', { ...good, keyColumns: ['user_id', 'user_id'] }, /keyColumns/],
    ['a bucket name S3 refuses', { ...good, bucket: 'Lake_Raw' }, /bucket/],
    ["another batch's manifest", { ...good, manifestKey: 'find/batch-2/events.json' }, /manifestKey/],
    ['an unknown field', { ...good, subjects: ['someone'] }, /subjects: got \["someone"\]; remove it/],
  ])('%s', async (_label, input, message) => {
    const { run } = handlerFor('unused');
    await expect(run(input)).rejects.toThrow(RewriteInputError);
    await expect(run(input)).rejects.toThrow(message);
  });

  it('a malformed subjects file is refused without echoing its lines', async () => {
    await put(s3, { Bucket: WORK, Key: 'subjects/batch_id=batch-bad-subjects/subjects.json', Body: `{"subject_id":"${SUBJECT}"}\n${SUBJECT}\n` });
    const { run } = handlerFor('batch-bad-subjects');
    const error = (await run(undefined).then(
      () => new Error('expected a failure'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(RewriteInputError);
    expect(error.message).toMatch(/line 2/);
    expect(error.message).not.toContain(SUBJECT);
  });

  it('a manifest naming another bucket, or another batch, is refused', async () => {
    await put(s3, { Bucket: WORK, Key: 'subjects/batch_id=batch-bad-manifest/subjects.json', Body: `{"subject_id":"${SUBJECT}"}\n` });
    await put(s3, {
      Bucket: WORK,
      Key: 'find/batch-bad-manifest/events.json',
      Body: JSON.stringify({ dataset: 'events', batchId: 'batch-other', objects: [{ bucket: 'lake-curated', key: 'a.parquet', rows: 1 }] }),
    });
    const { run } = handlerFor('batch-bad-manifest');
    await expect(run(undefined)).rejects.toThrow(/batchId: got "batch-other"/);
    await expect(run(undefined)).rejects.toThrow(/objects\[0\]\.bucket: got "lake-curated"/);
  });

  it('a missing subjects file fails the task (the workflow releases the batch)', async () => {
    const { run } = handlerFor('batch-no-subjects');
    await expect(run(undefined)).rejects.toThrow(/NoSuchKey|does not exist/);
  });
});
