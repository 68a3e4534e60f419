import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetInObject, type ForgetObjectRequest } from '../../constructs/privacy/object-guard';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { eventsSelect, openDuck, type Duck } from './duckdb-parquet';
import { before, createBucket, listVersions, motoS3, put } from './moto-s3';

const BUCKET = 'lake-raw-guard';
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
let moto: MotoServer;
let duck: Duck;
let events: Uint8Array;
let other: S3Client;
let counter = 0;

beforeAll(async () => {
  [moto, duck] = await Promise.all([startMotoServer(), openDuck()]);
  other = motoS3(moto);
  await createBucket(other, BUCKET);
  await createBucket(other, 'lake-raw-unversioned', false);
  const path = join(duck.folder, 'events.parquet');
  await duck.connection.run(`COPY (${eventsSelect(400, 6)}) TO '${path}' (FORMAT parquet, COMPRESSION snappy)`);
  events = readFileSync(path);
});
afterAll(async () => {
  duck?.connection.closeSync();
  await moto?.stop();
});

/** A fresh key with an older version and a current one holding the events file; returns both ids. */
async function seed(extra: Record<string, unknown> = {}): Promise<{ key: string; older: string; current: string }> {
  counter += 1;
  const key = `events/year=2026/month=03/day=01/hour=0${counter % 10}/part-${counter}.parquet`;
  const older = await put(other, { Bucket: BUCKET, Key: key, Body: events.subarray(0, 100) });
  const current = await put(other, { Bucket: BUCKET, Key: key, Body: events, ContentType: 'application/octet-stream', ...extra });
  return { key, older, current };
}

const request = (key: string, subjects: string[] = ['u2', 'u5'], bucket = BUCKET): ForgetObjectRequest => ({ bucket, key, keyColumns: ['user_id'], subjects: new Set(subjects), maxBytes: 1024 * 1024 });

async function bodyOf(s3: S3Client, key: string, versionId?: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
  return object.Body!.transformToByteArray();
}

async function usersIn(bytes: Uint8Array): Promise<string[]> {
  counter += 1;
  const path = join(duck.folder, `read-${counter}.parquet`);
  writeFileSync(path, bytes);
  return (await duck.rows(`SELECT DISTINCT user_id FROM read_parquet('${path}') WHERE user_id IS NOT NULL ORDER BY 1`)).map((row) => String(row.user_id));
}

describe('forgetInObject on a versioned bucket (moto S3)', () => {
  it('writes the rewrite as a new version, then deletes the version it read and every older one', async () => {
    const { key, current } = await seed();
    const s3 = motoS3(moto);
    const outcome = await forgetInObject(s3, request(key));
    expect(outcome).toMatchObject({ outcome: 'rewritten', previousVersionId: current, rowsBefore: 400, versionsRemoved: 2 });
    if (outcome.outcome !== 'rewritten') return;
    expect(outcome.rowsRemoved).toBeGreaterThan(0);
    expect(await listVersions(other, BUCKET, key)).toEqual({ versions: [outcome.newVersionId], deleteMarkers: [], latest: outcome.newVersionId });
    expect(await usersIn(await bodyOf(other, key))).toEqual(['u0', 'u1', 'u3', 'u4']);
  });

  it("keeps the original's Content-Type, user metadata, tags and SSE-KMS key", async () => {
    const { key } = await seed({
      ContentType: 'application/x-parquet',
      Metadata: { 'firehose-stream': 'lakehouse-dev-events', owner: 'product analytics' },
      Tagging: 'classification=pii&retention=400%20days',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: KMS_KEY,
    });
    const outcome = await forgetInObject(motoS3(moto), request(key));
    expect(outcome.outcome).toBe('rewritten');
    const head = await other.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    await head.Body?.transformToByteArray();
    expect(head.ContentType).toBe('application/x-parquet');
    expect(head.Metadata).toEqual({ 'firehose-stream': 'lakehouse-dev-events', owner: 'product analytics' });
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(KMS_KEY);
    const tags = await other.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    expect(tags.TagSet).toEqual([
      { Key: 'classification', Value: 'pii' },
      { Key: 'retention', Value: '400 days' },
    ]);
  });

  it('a writer between the read and the write: If-Match refuses ours, theirs stays current, nothing is deleted', async () => {
    const { key, older, current } = await seed();
    const s3 = motoS3(moto);
    let theirs = '';
    before(s3, 'PutObjectCommand', async () => {
      theirs = await put(other, { Bucket: BUCKET, Key: key, Body: events.subarray(0, 200) });
    });
    const outcome = await forgetInObject(s3, request(key));
    expect(outcome).toMatchObject({ outcome: 'conflict', previousVersionId: current });
    expect(await listVersions(other, BUCKET, key)).toEqual({ versions: [theirs, current, older], deleteMarkers: [], latest: theirs });
  });

  it('a writer of identical bytes (same ETag) between the read and the write: ours is rolled back by version id', async () => {
    const { key, older, current } = await seed();
    const s3 = motoS3(moto);
    let theirs = '';
    before(s3, 'PutObjectCommand', async () => {
      theirs = await put(other, { Bucket: BUCKET, Key: key, Body: events });
    });
    const outcome = await forgetInObject(s3, request(key));
    expect(outcome).toMatchObject({ outcome: 'conflict', previousVersionId: current, detail: expect.stringMatching(/rolled back/) });
    expect(await listVersions(other, BUCKET, key)).toEqual({ versions: [theirs, current, older], deleteMarkers: [], latest: theirs });
    expect(await bodyOf(other, key)).toEqual(new Uint8Array(events));
  });

  it('no rows left: every version of the key is deleted', async () => {
    const { key } = await seed();
    const outcome = await forgetInObject(motoS3(moto), request(key, ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']));
    // Rows without a user stay, so this file is rewritten; a file of one user's rows goes entirely.
    expect(outcome.outcome).toBe('rewritten');
    counter += 1;
    const onlyOne = `events/part-only-${counter}.parquet`;
    const path = join(duck.folder, `only-${counter}.parquet`);
    await duck.connection.run(`COPY (SELECT 'u9' AS user_id, i AS n FROM range(5) t(i)) TO '${path}' (FORMAT parquet)`);
    await put(other, { Bucket: BUCKET, Key: onlyOne, Body: 'an older version' });
    const last = await put(other, { Bucket: BUCKET, Key: onlyOne, Body: readFileSync(path) });
    expect(await forgetInObject(motoS3(moto), request(onlyOne, ['u9']))).toEqual({ key: onlyOne, outcome: 'deleted', previousVersionId: last, rowsRemoved: 5, versionsRemoved: 2 });
    expect(await listVersions(other, BUCKET, onlyOne)).toEqual({ versions: [], deleteMarkers: [], latest: undefined });
  });

  it('no rows left but a newer version arrived meanwhile: nothing is deleted, conflict', async () => {
    counter += 1;
    const key = `events/part-race-${counter}.parquet`;
    const path = join(duck.folder, `race-${counter}.parquet`);
    await duck.connection.run(`COPY (SELECT 'u9' AS user_id FROM range(3)) TO '${path}' (FORMAT parquet)`);
    const mine = await put(other, { Bucket: BUCKET, Key: key, Body: readFileSync(path) });
    const s3 = motoS3(moto);
    let theirs = '';
    before(s3, 'ListObjectVersionsCommand', async () => {
      theirs = await put(other, { Bucket: BUCKET, Key: key, Body: 'new data' });
    });
    expect(await forgetInObject(s3, request(key, ['u9']))).toMatchObject({ outcome: 'conflict', previousVersionId: mine });
    expect(await listVersions(other, BUCKET, key)).toEqual({ versions: [theirs, mine], deleteMarkers: [], latest: theirs });
  });

  it('nothing matched: the object and its versions are left alone', async () => {
    const { key, older, current } = await seed();
    expect(await forgetInObject(motoS3(moto), request(key, ['someone-else']))).toEqual({ key, outcome: 'unchanged', versionId: current, rowsBefore: 400 });
    expect(await listVersions(other, BUCKET, key)).toEqual({ versions: [current, older], deleteMarkers: [], latest: current });
  });

  it('an object deleted between the read and the write: not-found, nothing written, the delete marker kept, the versions holding the rows removed', async () => {
    const { key, current } = await seed();
    const s3 = motoS3(moto);
    before(s3, 'PutObjectCommand', async () => {
      await other.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    });
    expect(await forgetInObject(s3, request(key))).toMatchObject({ outcome: 'not-found', previousVersionId: current, versionsRemoved: 2 });
    const after = await listVersions(other, BUCKET, key);
    expect(after.versions).toEqual([]);
    expect(after.deleteMarkers).toHaveLength(1);
    expect(after.latest).toBe(after.deleteMarkers[0]);
  });

  it('an object already gone is reported not-found', async () => {
    expect(await forgetInObject(motoS3(moto), request('events/never-written.parquet'))).toMatchObject({ outcome: 'not-found' });
  });

  it('refuses (unsupported, nothing written) an unversioned bucket, an object over the size limit, a read without ETag and a file it cannot rewrite', async () => {
    await put(other, { Bucket: 'lake-raw-unversioned', Key: 'a.parquet', Body: events });
    expect(await forgetInObject(motoS3(moto), request('a.parquet', ['u2'], 'lake-raw-unversioned'))).toMatchObject({ outcome: 'unsupported', reason: expect.stringMatching(/not versioned/) });

    const big = await seed();
    expect(await forgetInObject(motoS3(moto), { ...request(big.key), maxBytes: 1000 })).toMatchObject({ outcome: 'unsupported', versionId: big.current, reason: expect.stringMatching(/over the 1000-byte limit/) });

    const noEtag = await seed();
    const stripping = motoS3(moto);
    stripping.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'GetObjectCommand') delete (result.output as { ETag?: string }).ETag;
        return result;
      },
      { step: 'initialize', name: 'strip-etag' },
    );
    expect(await forgetInObject(stripping, request(noEtag.key))).toMatchObject({ outcome: 'unsupported', reason: expect.stringMatching(/no ETag/) });
    expect((await listVersions(other, BUCKET, noEtag.key)).versions).toEqual([noEtag.current, noEtag.older]);

    counter += 1;
    const lz4 = `events/lz4-${counter}.parquet`;
    const version = await put(other, { Bucket: BUCKET, Key: lz4, Body: readFileSync(join(__dirname, 'fixtures', 'parquet-testing', 'hadoop_lz4_compressed.parquet')) });
    expect(await forgetInObject(motoS3(moto), { ...request(lz4), keyColumns: ['c0'] })).toMatchObject({ outcome: 'unsupported', versionId: version, reason: expect.stringMatching(/LZ4/) });
    expect(await listVersions(other, BUCKET, lz4)).toEqual({ versions: [version], deleteMarkers: [], latest: version });
  });
});
