/**
 * The find-results function with the real AWS SDK: Athena against a loopback server speaking its wire
 * format (a failed query and paged results, which moto cannot produce), the manifest written to moto's S3;
 * then the plan's own find statement started on moto's Athena (seeded results, a stopped query).
 */
import { AthenaClient, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsCurated } from '../../config/datasets/events-curated';
import { events } from '../../config/datasets/events';
import { createFindResults, FindFailed, type FindManifest, type FindResultsOutput } from '../../constructs/privacy/handlers/find-results';
import { erasurePlan } from '../../constructs/privacy/plan';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { startAthenaServer, type AthenaServer } from './athena-server';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const REGION = 'eu-west-1';
const WORK = 'work-bucket';
const [eventsTarget, curatedTarget] = erasurePlan([events, eventsCurated], {
  databases: { raw: 'lake_raw', curated: 'lake_curated' },
  buckets: { raw: 'raw-bucket', curated: 'curated-bucket' },
  privacyDatabase: 'lake_privacy',
});

let moto: MotoServer;
let athenaServer: AthenaServer;
let s3: S3Client;
let run: (event: unknown) => Promise<FindResultsOutput>;
const logs: string[] = [];

beforeAll(async () => {
  [moto, athenaServer] = await Promise.all([startMotoServer(), startAthenaServer()]);
  s3 = new S3Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: WORK, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  const athena = new AthenaClient({ endpoint: athenaServer.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  run = createFindResults({ athena, s3, workBucket: WORK, pageSize: 2, log: (line) => logs.push(line) });
});
afterAll(async () => {
  await Promise.all([moto?.stop(), athenaServer?.stop()]);
});

async function manifest(key: string): Promise<FindManifest> {
  const object = await s3.send(new GetObjectCommand({ Bucket: WORK, Key: key }));
  return JSON.parse(await (object.Body as { transformToString(): Promise<string> }).transformToString()) as FindManifest;
}
async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: WORK, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => String(object.Key));
}
async function failure(event: unknown): Promise<FindFailed> {
  const error = await run(event).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FindFailed);
  expect((error as Error).name).toBe('FindFailed');
  return error as FindFailed;
}

const FIND_COLUMNS = ['$path', 'dt', 'hour', '$rows'];
const object = (dt: string, hour: string, part: string) => `s3://raw-bucket/events/dt=${dt}/hour=${hour}/${part}`;

describe('find-results', () => {
  it('reads every page, drops the header row and writes the manifest the forget works from', async () => {
    athenaServer.setQuery('q-find', {
      state: 'SUCCEEDED',
      columns: FIND_COLUMNS,
      rows: [
        [object('2026-02-01', '05', 'a.parquet'), '2026-02-01', '5', '3'],
        [object('2026-02-01', '05', 'b.parquet'), '2026-02-01', '5', '1'],
        [object('2026-02-02', '07', 'c.parquet'), '2026-02-02', '7', '2'],
      ],
    });
    const output = await run({ batchId: 'b-1', dataset: 'events', queryExecutionId: 'q-find', mode: 'find' });
    const partitions = [
      { dt: '2026-02-01', hour: '5' },
      { dt: '2026-02-02', hour: '7' },
    ];
    expect(output).toEqual({ dataset: 'events', rows: 6, objectCount: 3, partitions, manifestKey: 'find/b-1/events.json', queryExecutionId: 'q-find' });
    expect(await manifest('find/b-1/events.json')).toEqual({
      dataset: 'events',
      batchId: 'b-1',
      mode: 'find',
      rows: 6,
      objects: [
        { bucket: 'raw-bucket', key: 'events/dt=2026-02-01/hour=05/a.parquet', rows: 3 },
        { bucket: 'raw-bucket', key: 'events/dt=2026-02-01/hour=05/b.parquet', rows: 1 },
        { bucket: 'raw-bucket', key: 'events/dt=2026-02-02/hour=07/c.parquet', rows: 2 },
      ],
      partitions,
    });
    const pages = athenaServer.requests.filter((request) => request.operation === 'GetQueryResults' && request.body.QueryExecutionId === 'q-find');
    expect(pages.map((request) => request.body.NextToken ?? null)).toEqual([null, '2']);
    expect(logs.at(-1)).toBe(JSON.stringify({ message: 'find results', dataset: 'events', mode: 'find', rows: 6, objects: 3, partitions: 2 }));
  });

  it('writes an empty manifest when nobody of the batch is in the dataset', async () => {
    athenaServer.setQuery('q-none', { state: 'SUCCEEDED', columns: FIND_COLUMNS, rows: [] });
    expect(await run({ batchId: 'b-2', dataset: 'events', queryExecutionId: 'q-none', mode: 'find' })).toMatchObject({ rows: 0, objectCount: 0, partitions: [] });
    expect((await manifest('find/b-2/events.json')).objects).toEqual([]);
  });

  it('in verify mode reads the count into find/<batch>/<dataset>.verify.json', async () => {
    athenaServer.setQuery('q-verify-0', { state: 'SUCCEEDED', columns: ['$rows'], rows: [['0']] });
    athenaServer.setQuery('q-verify-4', { state: 'SUCCEEDED', columns: ['$rows'], rows: [['4']] });
    expect(await run({ batchId: 'b-1', dataset: 'events', queryExecutionId: 'q-verify-0', mode: 'verify' })).toEqual({
      dataset: 'events',
      rows: 0,
      objectCount: 0,
      partitions: [],
      manifestKey: 'find/b-1/events.verify.json',
      queryExecutionId: 'q-verify-0',
    });
    expect((await run({ batchId: 'b-3', dataset: 'events', queryExecutionId: 'q-verify-4', mode: 'verify' })).rows).toBe(4);
    expect((await manifest('find/b-3/events.verify.json')).rows).toBe(4);
    // Only a header row is dropped: a result without one keeps its first row.
    athenaServer.setQuery('q-verify-no-header', { state: 'SUCCEEDED', columns: ['$rows'], rows: [['7']], noHeader: true });
    expect((await run({ batchId: 'b-5', dataset: 'events', queryExecutionId: 'q-verify-no-header', mode: 'verify' })).rows).toBe(7);
  });

  it('with the plan entry of an Iceberg dataset returns OPTIMIZE for the partitions found', async () => {
    athenaServer.setQuery('q-iceberg', {
      state: 'SUCCEEDED',
      columns: ['$path', 'event_date_day', '$rows'],
      rows: [
        ['s3://curated-bucket/events_curated/data/event_date_day=2026-02-01/1.parquet', '2026-02-01', '2'],
        ['s3://curated-bucket/events_curated/data/event_date_day=2026-02-02/2.parquet', '2026-02-02', '1'],
      ],
    });
    const output = await run({ batchId: 'b-4', dataset: 'events_curated', queryExecutionId: 'q-iceberg', mode: 'find', target: curatedTarget.spec });
    expect(output.optimizeSql).toBe(curatedTarget.kind === 'iceberg' ? curatedTarget.optimizeSql(output.partitions) : 'not iceberg');
    expect(output.optimizeSql).toContain(`("event_date" >= DATE '2026-02-01' AND "event_date" < DATE '2026-02-03')`);
    athenaServer.setQuery('q-iceberg-none', { state: 'SUCCEEDED', columns: ['$path', 'event_date_day', '$rows'], rows: [] });
    expect((await run({ batchId: 'b-4', dataset: 'events_curated', queryExecutionId: 'q-iceberg-none', mode: 'find', target: curatedTarget.spec })).optimizeSql).toBeNull();
    // A Parquet entry has nothing to optimize.
    expect(await run({ batchId: 'b-4', dataset: 'events', queryExecutionId: 'q-none', mode: 'find', target: eventsTarget.spec })).not.toHaveProperty('optimizeSql');
  });

  it.each([
    ['FAILED', "HIVE_BAD_DATA: Error parsing field value 'alice@example.com' for field 0", 1100, '(HIVE_BAD_DATA, error type 1100)'],
    ['CANCELLED', undefined, undefined, 'is CANCELLED; nothing'],
    ['RUNNING', undefined, undefined, 'is RUNNING; nothing'],
  ] as const)('a query %s throws FindFailed and writes nothing', async (state, reason, errorType, shown) => {
    athenaServer.setQuery(`q-${state}`, { state, reason, errorType, columns: FIND_COLUMNS, rows: [] });
    const error = await failure({ batchId: `b-${state}`, dataset: 'events', queryExecutionId: `q-${state}`, mode: 'find' });
    expect(error.message).toContain(`is ${state}`);
    expect(error.message).toContain(shown);
    // Athena's text may quote a value it could not read: only the error's name travels in the execution history.
    expect(error.message).not.toContain('alice');
    expect(await keysUnder(`find/b-${state}/`)).toEqual([]);
  });

  it.each<[string, string[], Array<Array<string | null>>, RegExp]>([
    ['a count that is not a whole number', FIND_COLUMNS, [[object('2026-02-01', '05', 'a'), '2026-02-01', '5', '1.5']], /"\$rows" = "1.5"/],
    ['a null count', FIND_COLUMNS, [[object('2026-02-01', '05', 'a'), '2026-02-01', '5', null]], /"\$rows" = null/],
    ['a path that is not an S3 URI', FIND_COLUMNS, [['/tmp/a.parquet', '2026-02-01', '5', '1']], /not an s3:\/\/ URI/],
    ['no path column', ['dt', '$rows'], [['2026-02-01', '1']], /no "\$path" column/],
    ['no count column', ['$path', 'dt'], [], /no "\$rows" column/],
  ])('a result with %s throws FindFailed and writes nothing', async (_, columns, rows, message) => {
    const id = `q-bad-${columns.join('')}-${String(rows[0]?.[rows[0].length - 1])}-${String(rows[0]?.[0])}`.replace(/[^A-Za-z0-9-]/g, '-');
    athenaServer.setQuery(id, { state: 'SUCCEEDED', columns, rows });
    const error = await failure({ batchId: 'b-bad', dataset: 'events', queryExecutionId: id, mode: 'find' });
    expect(error.message).toMatch(message);
    expect(await keysUnder('find/b-bad/')).toEqual([]);
  });

  it('a partition OPTIMIZE cannot take throws FindFailed before the manifest is written', async () => {
    athenaServer.setQuery('q-null-partition', { state: 'SUCCEEDED', columns: ['$path', 'event_date_day', '$rows'], rows: [['s3://curated-bucket/events_curated/data/x.parquet', null, '1']] });
    const error = await failure({ batchId: 'b-null', dataset: 'events_curated', queryExecutionId: 'q-null-partition', mode: 'find', target: curatedTarget.spec });
    expect(error.message).toMatch(/cannot render OPTIMIZE/);
    expect(await keysUnder('find/b-null/')).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['no input', undefined, /batchId/],
    ['a batch id with a quote', { batchId: "b'1", dataset: 'events', queryExecutionId: 'q-find', mode: 'find' }, /batchId/],
    ['a dataset path', { batchId: 'b1', dataset: '../events', queryExecutionId: 'q-find', mode: 'find' }, /dataset/],
    ['a mode of delete', { batchId: 'b1', dataset: 'events', queryExecutionId: 'q-find', mode: 'delete' }, /mode/],
    ['a query id with a slash', { batchId: 'b1', dataset: 'events', queryExecutionId: 'q/1', mode: 'find' }, /queryExecutionId/],
    ["another dataset's plan entry", { batchId: 'b1', dataset: 'events', queryExecutionId: 'q-find', mode: 'find', target: curatedTarget.spec }, /target/],
  ])('refuses %s with FindFailed', async (_, event, message) => {
    expect((await failure(event)).message).toMatch(message);
  });

  it('refuses to run without a work bucket', async () => {
    const athena = new AthenaClient({ endpoint: athenaServer.endpoint, region: REGION, credentials: CREDENTIALS });
    const saved = process.env.WORK_BUCKET;
    delete process.env.WORK_BUCKET;
    try {
      await expect(createFindResults({ athena, s3 })({ batchId: 'b1', dataset: 'events', queryExecutionId: 'q-find', mode: 'find' })).rejects.toThrow(/WORK_BUCKET is not set/);
    } finally {
      if (saved !== undefined) process.env.WORK_BUCKET = saved;
    }
  });

  it('passes an Athena API error through as the SDK raised it, for the retry policy', async () => {
    const error = await run({ batchId: 'b1', dataset: 'events', queryExecutionId: 'q-unknown', mode: 'find' }).catch((caught: Error) => caught);
    expect((error as Error).name).toBe('InvalidRequestException');
  });
});

describe("find-results against moto's Athena", () => {
  /** moto hands seeded results to the next query started: seed, then start the plan's own statement. */
  async function startWithResults(athena: AthenaClient, sql: string, columns: string[], rows: string[][]): Promise<string> {
    const cell = (value: string) => ({ VarCharValue: value });
    const response = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        region: REGION,
        results: [{ rows: [columns, ...rows].map((row) => ({ Data: row.map(cell) })), column_info: columns.map((name) => ({ Name: name, Type: 'varchar' })) }],
      }),
    });
    expect(response.status).toBe(201);
    const started = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: 'primary', ResultConfiguration: { OutputLocation: `s3://${WORK}/athena/` } }));
    return String(started.QueryExecutionId);
  }

  it("reads the results of the plan's find statement into the manifest", async () => {
    const athena = new AthenaClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    const id = await startWithResults(athena, eventsTarget.findSql('b-moto'), FIND_COLUMNS, [[object('2026-02-03', '09', 'd.parquet'), '2026-02-03', '9', '2']]);
    const output = await createFindResults({ athena, s3, workBucket: WORK, log: () => undefined })({ batchId: 'b-moto', dataset: 'events', queryExecutionId: id, mode: 'find' });
    expect(output).toEqual({ dataset: 'events', rows: 2, objectCount: 1, partitions: [{ dt: '2026-02-03', hour: '9' }], manifestKey: 'find/b-moto/events.json', queryExecutionId: id });
    expect((await manifest('find/b-moto/events.json')).objects).toEqual([{ bucket: 'raw-bucket', key: 'events/dt=2026-02-03/hour=09/d.parquet', rows: 2 }]);
  });

  it('a stopped (cancelled) query throws FindFailed and writes nothing', async () => {
    const athena = new AthenaClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    const id = await startWithResults(athena, eventsTarget.findSql('b-stopped'), FIND_COLUMNS, []);
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    const error = await createFindResults({ athena, s3, workBucket: WORK, log: () => undefined })({ batchId: 'b-stopped', dataset: 'events', queryExecutionId: id, mode: 'find' }).catch((caught: Error) => caught);
    expect((error as Error).name).toBe('FindFailed');
    expect((error as Error).message).toContain('is CANCELLED');
    expect(await keysUnder('find/b-stopped/')).toEqual([]);
  });
});
