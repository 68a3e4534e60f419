import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPhysicalCheck, handler, physicalCheckFromEnvironment } from '../../constructs/privacy/handlers/physical-check';
import { ledgerMonthPrefixes, pendingFilesOf } from '../../constructs/privacy/physical-removal';
import { RequestStore } from '../../constructs/privacy/request-store';
import { createRequestTable, credentials } from './harness';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { createBucket, listVersions, motoS3, put } from './moto-s3';

const LEDGER = 'privacy-ledger-check';
const LAKE = 'lake-curated-check';
const DAY = 86_400_000;
let moto: MotoServer;
let s3: S3Client;
let dynamo: DynamoDBClient;
let store: RequestStore;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = motoS3(moto);
  await createBucket(s3, LEDGER);
  await createBucket(s3, LAKE);
  dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials });
  store = new RequestStore(dynamo, await createRequestTable(dynamo));
});
afterAll(async () => {
  dynamo?.destroy();
  await moto?.stop();
});

const iso = (time: number) => new Date(time).toISOString();
const monthPrefix = (time: Date) => `ledger/${time.getUTCFullYear()}/${String(time.getUTCMonth() + 1).padStart(2, '0')}/`;

describe('physical-check (moto S3)', () => {
  it('deletes the versions of files Iceberg removed, reports files current past their horizon as overdue, leaves the rest', async () => {
    const now = new Date();
    const data = (name: string) => `events_curated/data/event_date=2026-03-01/${name}.parquet`;
    // Removed by VACUUM: a delete marker over the version that held the rows.
    await put(s3, { Bucket: LAKE, Key: data('vacuumed'), Body: 'rows' });
    await s3.send(new DeleteObjectCommand({ Bucket: LAKE, Key: data('vacuumed') }));
    // Still current: a VACUUM without s3:DeleteObject, or none yet.
    for (const name of ['kept-too-long', 'within-horizon', 'within-grace', 'old-entry']) await put(s3, { Bucket: LAKE, Key: data(name), Body: 'rows' });
    // Never there (or already fully gone): nothing to do.
    const file = (name: string, notBefore: number) => ({ bucket: LAKE, key: data(name), notBefore: iso(notBefore) });

    const thisMonth = monthPrefix(now);
    await put(s3, {
      Bucket: LEDGER,
      Key: `${thisMonth}request-1.json`,
      Body: JSON.stringify({ requestId: 'request-1', pendingPhysicalRemoval: [file('vacuumed', now.getTime() - 2 * DAY), file('kept-too-long', now.getTime() - 3 * DAY)] }),
    });
    await put(s3, {
      Bucket: LEDGER,
      Key: `${thisMonth}request-2.json`,
      Body: JSON.stringify({
        requestId: 'request-2',
        pendingPhysicalRemoval: [
          file('within-horizon', now.getTime() + 2 * DAY),
          file('within-grace', now.getTime() - DAY / 2),
          file('never-there', now.getTime() - 5 * DAY),
          // The same file from another request of the batch, with a later horizon: the earlier one counts.
          file('kept-too-long', now.getTime() + 10 * DAY),
        ],
      }),
    });
    await put(s3, { Bucket: LEDGER, Key: `${thisMonth}request-3.json`, Body: JSON.stringify({ requestId: 'request-3', datasets: [] }) });
    await put(s3, { Bucket: LEDGER, Key: `${thisMonth}request-4.json`, Body: '{ not json' });
    await put(s3, { Bucket: LEDGER, Key: `${thisMonth}request-5.json`, Body: JSON.stringify({ pendingPhysicalRemoval: [{ bucket: LAKE, key: data('x') }] }) });
    await put(s3, { Bucket: LEDGER, Key: `${thisMonth}notes.txt`, Body: 'not an entry' });
    // Outside the lookback: not read.
    await put(s3, { Bucket: LEDGER, Key: 'ledger/2020/01/request-0.json', Body: JSON.stringify({ pendingPhysicalRemoval: [file('old-entry', Date.UTC(2020, 0, 5))] }) });

    const logs: string[] = [];
    const metrics: Record<string, unknown>[] = [];
    const check = createPhysicalCheck({ s3, ledgerBucket: LEDGER, store, lookbackDays: 30, now: () => now, log: (message, fields) => logs.push(JSON.stringify({ message, ...fields })), emitMetrics: (document) => metrics.push(document) });
    const summary = await check();

    expect(summary).toEqual({
      ledgerEntries: 5,
      unreadableEntries: 2,
      files: 5,
      removed: 1,
      gone: 1,
      pending: 2,
      overdue: 1,
      versionsDeleted: 2,
      requestsCompleted: 0,
      overdueFiles: [{ bucket: LAKE, key: data('kept-too-long'), notBefore: iso(now.getTime() - 3 * DAY) }],
    });
    expect(await listVersions(s3, LAKE, data('vacuumed'))).toEqual({ versions: [], deleteMarkers: [], latest: undefined });
    expect((await listVersions(s3, LAKE, data('kept-too-long'))).versions).toHaveLength(1);
    expect(metrics).toEqual([expect.objectContaining({ PhysicalRemovalOverdue: 1 })]);
    expect(metrics[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Lakehouse/Privacy', Dimensions: [[]], Metrics: [{ Name: 'PhysicalRemovalOverdue', Unit: 'Count' }] }] } });
    expect(logs.filter((line) => line.includes('ledger entry skipped')).map((line) => JSON.parse(line).ledgerKey)).toEqual([`${thisMonth}request-4.json`, `${thisMonth}request-5.json`]);

    // The next day's run finds nothing left to delete and the same overdue file.
    const again = await check();
    expect(again).toMatchObject({ removed: 0, gone: 2, overdue: 1, versionsDeleted: 0 });
  });

  it('a file it cannot read (its bucket gone from the plan) stays pending, then overdue, and the others are still checked', async () => {
    const now = new Date();
    const ledger = 'privacy-ledger-unreadable';
    const lake = 'lake-curated-unreadable';
    await createBucket(s3, ledger);
    await createBucket(s3, lake);
    await put(s3, { Bucket: lake, Key: 'events_curated/data/a.parquet', Body: 'rows' });
    await s3.send(new DeleteObjectCommand({ Bucket: lake, Key: 'events_curated/data/a.parquet' }));
    const elsewhere = (key: string, notBefore: number) => ({ bucket: 'no-such-lake-bucket', key, notBefore: iso(notBefore) });
    await put(s3, {
      Bucket: ledger,
      Key: `${monthPrefix(now)}request-u.json`,
      Body: JSON.stringify({
        requestId: 'request-u',
        pendingPhysicalRemoval: [
          { bucket: lake, key: 'events_curated/data/a.parquet', notBefore: iso(now.getTime() - 2 * DAY) },
          elsewhere('dropped/late.parquet', now.getTime() - 3 * DAY),
          elsewhere('dropped/early.parquet', now.getTime() + DAY),
        ],
      }),
    });
    const summary = await createPhysicalCheck({ s3, ledgerBucket: ledger, store, lookbackDays: 30, now: () => now, log: () => undefined, emitMetrics: () => undefined })();
    expect(summary).toMatchObject({ files: 3, removed: 1, pending: 1, overdue: 1, requestsCompleted: 0 });
    expect(await listVersions(s3, lake, 'events_curated/data/a.parquet')).toEqual({ versions: [], deleteMarkers: [], latest: undefined });
  });

  it('emits PhysicalRemovalOverdue 0 when there is nothing to check', async () => {
    const metrics: Record<string, unknown>[] = [];
    await createBucket(s3, 'privacy-ledger-empty');
    const summary = await createPhysicalCheck({ s3, ledgerBucket: 'privacy-ledger-empty', store, log: () => undefined, emitMetrics: (document) => metrics.push(document) })();
    expect(summary).toMatchObject({ ledgerEntries: 0, files: 0, overdue: 0 });
    expect(metrics).toEqual([expect.objectContaining({ PhysicalRemovalOverdue: 0 })]);
  });

  it('completes a request awaiting physical removal once every file its entry lists is gone, and only then', async () => {
    const now = new Date();
    const ledger = 'privacy-ledger-close';
    const lake = 'lake-curated-close';
    await createBucket(s3, ledger);
    await createBucket(s3, lake);
    const table = await createRequestTable(dynamo);
    const requests = new RequestStore(dynamo, table);
    const ids = { allGone: 'a'.repeat(32), stillThere: 'b'.repeat(32), alreadyCompleted: 'c'.repeat(32) };
    const seed = (requestId: string, status: string) =>
      dynamo.send(new PutItemCommand({ TableName: table, Item: { requestId: { S: requestId }, status: { S: status }, regulation: { S: 'gdpr' }, attempts: { N: '1' } } }));
    await seed(ids.allGone, 'awaiting-physical-removal');
    await seed(ids.stillThere, 'awaiting-physical-removal');
    await seed(ids.alreadyCompleted, 'completed');
    const statusOf = async (requestId: string) => (await dynamo.send(new GetItemCommand({ TableName: table, Key: { requestId: { S: requestId } } }))).Item?.status?.S;

    const key = (name: string) => `events_curated/data/${name}.parquet`;
    await put(s3, { Bucket: lake, Key: key('vacuumed'), Body: 'rows' });
    await s3.send(new DeleteObjectCommand({ Bucket: lake, Key: key('vacuumed') }));
    await put(s3, { Bucket: lake, Key: key('current'), Body: 'rows' });
    const file = (name: string) => ({ bucket: lake, key: key(name), notBefore: iso(now.getTime() - 2 * DAY) });
    const entry = (requestId: string, files: unknown[]) => put(s3, { Bucket: ledger, Key: `${monthPrefix(now)}${requestId}.json`, Body: JSON.stringify({ requestId, pendingPhysicalRemoval: files }) });
    await entry(ids.allGone, [file('vacuumed'), file('never-there')]);
    await entry(ids.stillThere, [file('vacuumed'), file('current')]);
    await entry(ids.alreadyCompleted, [file('never-there')]);

    const check = createPhysicalCheck({ s3, ledgerBucket: ledger, store: requests, now: () => now, log: () => undefined, emitMetrics: () => undefined });
    expect(await check()).toMatchObject({ requestsCompleted: 1, removed: 1, gone: 1, overdue: 1 });
    expect(await statusOf(ids.allGone)).toBe('completed');
    expect(await statusOf(ids.stillThere)).toBe('awaiting-physical-removal');
    expect(await statusOf(ids.alreadyCompleted)).toBe('completed');

    // Once the last file goes, the second request closes too; the first is not counted again.
    await s3.send(new DeleteObjectCommand({ Bucket: lake, Key: key('current') }));
    expect(await check()).toMatchObject({ requestsCompleted: 1, overdue: 0 });
    expect(await statusOf(ids.stillThere)).toBe('completed');
    expect(await check()).toMatchObject({ requestsCompleted: 0 });
  });
});

describe('physical-check inputs', () => {
  it('lists every month of the lookback, across a year end', () => {
    expect(ledgerMonthPrefixes(new Date('2025-11-20T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toEqual(['ledger/2025/11/', 'ledger/2025/12/', 'ledger/2026/01/', 'ledger/2026/02/']);
  });

  it.each([
    ['an entry without the field', { requestId: 'r' }, []],
    ['a list of files', { pendingPhysicalRemoval: [{ bucket: 'b', key: 'k', notBefore: '2026-03-01T00:00:00Z' }] }, [{ bucket: 'b', key: 'k', notBefore: '2026-03-01T00:00:00.000Z' }]],
    ['not a list', { pendingPhysicalRemoval: 'k' }, undefined],
    ['a file without a key', { pendingPhysicalRemoval: [{ bucket: 'b', notBefore: '2026-03-01T00:00:00Z' }] }, undefined],
    ['a horizon that is not a time', { pendingPhysicalRemoval: [{ bucket: 'b', key: 'k', notBefore: 'soon' }] }, undefined],
    ['not an object', 42, undefined],
  ])('%s', (_label, entry, expected) => {
    expect(pendingFilesOf(entry)).toEqual(expected);
  });

  it('the Lambda entry point fails with the variable named when LEDGER_BUCKET is missing', async () => {
    vi.stubEnv('LEDGER_BUCKET', '');
    await expect(handler()).rejects.toThrow(/LEDGER_BUCKET is not set/);
  });

  it('refuses a missing bucket or table and a lookback that is not 1-3650 days, naming the variable', () => {
    const env = { LEDGER_BUCKET: 'l', REQUESTS_TABLE: 't' };
    expect(() => physicalCheckFromEnvironment({})).toThrow(/LEDGER_BUCKET is not set/);
    expect(() => physicalCheckFromEnvironment({ LEDGER_BUCKET: 'l' })).toThrow(/REQUESTS_TABLE is not set/);
    expect(() => physicalCheckFromEnvironment({ ...env, PHYSICAL_CHECK_LOOKBACK_DAYS: '0' })).toThrow(/PHYSICAL_CHECK_LOOKBACK_DAYS is "0"/);
    expect(() => physicalCheckFromEnvironment({ ...env, PHYSICAL_CHECK_LOOKBACK_DAYS: 'ninety' })).toThrow(/whole number of days/);
    expect(typeof physicalCheckFromEnvironment({ ...env, PHYSICAL_CHECK_LOOKBACK_DAYS: '45', AWS_REGION: 'eu-west-1' })).toBe('function');
  });
});
