/**
 * Issue 14's end-to-end evidence: three subjects (A, B, C) in raw events Parquet on a versioned bucket,
 * in the Iceberg-shaped events_curated and in the vector store; the real ErasureWorkflow definition runs
 * with the real handlers behind its tasks (moto S3/DynamoDB/Secrets Manager/Step Functions, the local
 * Athena on DuckDB, PGlite with pgvector) and erases A through the intake. Afterwards A is gone from every
 * copy and every old version, B and C are intact row for row, the ledger holds A's salted hash only, and
 * A's id is nowhere: not in the ledger, the work bucket, the request table, the SQL, the payloads after
 * intake, nor the logs. Before that, an Athena failure in the find phase releases the batch with nothing
 * deleted; after it, erasing A again finds nothing and records zero rows.
 *
 * Locally, OPTIMIZE and VACUUM are recorded, not run (local-athena.ts): DuckDB's DELETE removes the rows
 * physically, so the Iceberg part proves the statements and the ledger, not Iceberg's file rewrite.
 */
import { createHmac } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../../lib/local-lake/engine';
import { erasureWorkflow, type ErasureWorkflow } from './erasure-workflow';
import { DATABASES, startErasureHarness, type ErasureHarness } from './harness';
import { curatedRows, currentRows, everyObjectText, everyRequestItem, objectBytes, objectVersions, vectorRows, type ObjectVersions } from './lake-state';
import { captureOutput } from './output-capture';
import { NAMES } from './services';
import { SUBJECTS, type RawObjects } from './subjects-fixture';
import { runWorkflow, type WorkflowRun } from './workflow-runner';

const { A } = SUBJECTS;
const ROLES = ['onlyA', 'aAndB', 'cAndA', 'onlyC', 'bAndC'] as const;

interface Before {
  readonly rows: Record<keyof RawObjects, Row[]>;
  readonly versions: Record<keyof RawObjects, ObjectVersions>;
  readonly bytes: Record<keyof RawObjects, Buffer>;
  readonly curated: Row[];
  readonly vectors: Awaited<ReturnType<typeof vectorRows>>;
}

let h: ErasureHarness;
let workflow: ErasureWorkflow;
let before: Before;
let run: WorkflowRun;
let logs: string;
/** The first, failed attempt: its run and the state it left. */
let failed: { run: WorkflowRun; state: Before; subjectsFiles: string[]; items: string[] };

const notA = (row: Row) => row.user_id !== A;
const ledgerKeys = async () => ((await h.services.s3.send(new ListObjectsV2Command({ Bucket: NAMES.ledgerBucket, Prefix: 'ledger/' }))).Contents ?? []).map((o) => o.Key as string).sort();
const ledgerEntry = async (key: string) => JSON.parse((await objectBytes(h.services.s3, NAMES.ledgerBucket, key)).toString('utf8')) as Record<string, any>;
const requestItem = async (requestId: string) => (await h.services.dynamodb.send(new GetItemCommand({ TableName: NAMES.requestTable, Key: { requestId: { S: requestId } }, ConsistentRead: true }))).Item;

async function erase(input: unknown, name: string): Promise<{ run: WorkflowRun; logs: string }> {
  const capture = captureOutput();
  try {
    const result = await runWorkflow(workflow.definition, input, name, { functions: workflow.functions, athena: h.athena });
    return { run: result, logs: capture.text() };
  } finally {
    capture.restore();
  }
}

async function snapshot(): Promise<Before> {
  const rows = {} as Before['rows'];
  const versions = {} as Before['versions'];
  const bytes = {} as Before['bytes'];
  for (const role of ROLES) {
    rows[role] = await currentRows(h, h.raw[role]);
    versions[role] = await objectVersions(h.services.s3, NAMES.rawBucket, h.raw[role]);
    bytes[role] = await objectBytes(h.services.s3, NAMES.rawBucket, h.raw[role]);
  }
  return { rows, versions, bytes, curated: await curatedRows(h), vectors: await vectorRows(h) };
}

const REQUEST = { subjects: [A], regulation: 'gdpr', reference: 'TICKET-1401' };

beforeAll(async () => {
  h = await startErasureHarness();
  workflow = await erasureWorkflow(h);
  before = await snapshot();
  // First an Athena failure in the find phase (the Iceberg table's find query): the batch is released.
  h.localAthena.failOnce((sql) => sql.trimStart().startsWith('SELECT "$path"') && sql.includes('"events_curated"'), 'HIVE_CURSOR_ERROR: the find query failed (simulated)');
  const failure = await erase({ requests: [REQUEST] }, 'erase-a-find-fails');
  failed = { run: failure.run, state: await snapshot(), subjectsFiles: [...(await everyObjectText(h.services.s3, NAMES.workBucket)).keys()].filter((key) => key.startsWith('subjects/')), items: await everyRequestItem(h) };
  // Then the same request again through the intake (a duplicate of the queued one): claimed and erased.
  const erased = await erase({ requests: [REQUEST] }, 'erase-a-first');
  run = erased.run;
  logs = failure.logs + erased.logs;
});

afterAll(async () => {
  await h?.stop();
});

describe('an Athena failure in the find phase', () => {
  it('fails the execution through release: nothing is forgotten', () => {
    expect({ status: failed.run.status, error: failed.run.error }).toEqual({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(failed.run.path.slice(-3)).toEqual(['FindEventsCurated', 'Release', 'Released']);
    expect(failed.run.path.filter((state) => /^(Rewrite|Delete|Optimize|Vacuum|ForgetVectors|Record)/.test(state))).toEqual([]);
  });

  it('leaves every object version, every curated row and every vector as it was', () => {
    expect(failed.state.versions).toEqual(before.versions);
    expect(ROLES.every((role) => failed.state.bytes[role].equals(before.bytes[role]))).toBe(true);
    expect(failed.state.curated).toEqual(before.curated);
    expect(failed.state.vectors).toEqual(before.vectors);
  });

  it('queues the request again (attempt counted, subjects kept for the retry) and deletes the subjects file with every version', () => {
    expect(failed.items).toHaveLength(1);
    const item = JSON.parse(failed.items[0]) as Record<string, { S?: string; N?: string; SS?: string[] }>;
    expect({ status: item.status.S, attempts: item.attempts.N, subjects: item.subjects.SS }).toEqual({ status: 'queued', attempts: '1', subjects: [A] });
    expect(item.lastError.S).toContain('States.TaskFailed');
    expect(failed.subjectsFiles).toEqual([]);
  });
});

describe('erasing subject A through the intake', () => {
  it('the fixture holds A, B and C where the test needs them (else nothing below proves anything)', () => {
    expect(before.rows.onlyA.length).toBeGreaterThan(0);
    expect(before.rows.onlyA.every((row) => row.user_id === A)).toBe(true);
    expect(new Set(before.rows.aAndB.map((row) => row.user_id))).toEqual(new Set([A, SUBJECTS.B, null]));
    expect(new Set(before.rows.cAndA.map((row) => row.user_id))).toEqual(new Set([A, SUBJECTS.C]));
    expect(before.rows.onlyC.some(notA) && before.rows.bAndC.every(notA)).toBe(true);
    expect(before.versions.aAndB.versions).toHaveLength(2); // an older version that also holds A
    expect(before.curated.filter((row) => row.user_id === A)).toHaveLength(6);
    expect(before.vectors.chunks.filter((row) => (row as Row).data_subject_id === A)).toHaveLength(4);
  });

  it('runs the whole workflow: find, forget (rewrite, DELETE/OPTIMIZE/VACUUM, vectors), verify, record', () => {
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(run.path.filter((state) => !['ValidateInput', 'Start', 'HasRequests', 'NothingClaimed', 'EltIdle', 'ForgetEvents', 'ForgetEventsCurated', 'RecordOutcome'].includes(state))).toEqual([
      'Intake',
      'Claim',
      'CheckElt',
      'FindEvents',
      'FindResultsEvents',
      'FindEventsCurated',
      'FindResultsEventsCurated',
      'RewriteEvents',
      'DeleteEventsCurated',
      'OptimizeEventsCurated',
      'VacuumEventsCurated',
      'ForgetVectors',
      'VerifyEvents',
      'VerifyResultsEvents',
      'VerifyEventsCurated',
      'VerifyResultsEventsCurated',
      'VerifyVectors',
      'Record',
      'Erased',
    ]);
  });

  it('OPTIMIZE rewrites only the two days A was found in, then VACUUM (recorded, not run, by the local Athena)', () => {
    const table = `"${DATABASES.curated}"."events_curated"`;
    const statements = h.localAthena.skipped.filter((statement) => statement.sql.includes(table));
    expect(statements.map((statement) => statement.kind)).toEqual(['optimize', 'vacuum']);
    expect(statements[0].sql).toMatch(/WHERE \("event_date" >= DATE '2026-03-01' AND "event_date" < DATE '2026-03-03'\)$/);
    // What the predicate selects after the DELETE: every row left on those days (B's and C's).
    expect(statements[0].rowsSelected).toBe(before.curated.filter(notA).length);
  });

  it("the object with only A's rows is gone with every version (no delete marker left either)", async () => {
    expect(await objectVersions(h.services.s3, NAMES.rawBucket, h.raw.onlyA)).toEqual({ versions: [], deleteMarkers: [] });
  });

  it("the objects mixing A with B or C hold exactly their other rows, byte-for-byte values, in one new version (A's older versions gone)", async () => {
    for (const role of ['aAndB', 'cAndA'] as const) {
      expect(await currentRows(h, h.raw[role])).toEqual(before.rows[role].filter(notA));
      const after = await objectVersions(h.services.s3, NAMES.rawBucket, h.raw[role]);
      expect(after.versions).toHaveLength(1);
      expect(before.versions[role].versions).not.toContain(after.versions[0]);
      expect(after.deleteMarkers).toEqual([]);
    }
  });

  it('the objects without A are untouched: same single version, same bytes', async () => {
    for (const role of ['onlyC', 'bAndC'] as const) {
      expect(await objectVersions(h.services.s3, NAMES.rawBucket, h.raw[role])).toEqual(before.versions[role]);
      expect((await objectBytes(h.services.s3, NAMES.rawBucket, h.raw[role])).equals(before.bytes[role])).toBe(true);
    }
  });

  it("the lake as Athena reads it: no row of A in events or events_curated; every row of B, C and nobody as it was", async () => {
    await h.mirror.refresh();
    const raw = await h.lake.query(`SELECT * FROM "${DATABASES.raw}"."events" ORDER BY event_id`);
    const rawBefore = ROLES.flatMap((role) => before.rows[role]).sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
    expect(raw.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'dt' && column !== 'hour')))).toEqual(rawBefore.filter(notA));
    expect(await curatedRows(h)).toEqual(before.curated.filter(notA));
  });

  it("A's chunks and documents are deleted from the vector store; B's, C's and unowned ones are kept as they were", async () => {
    const after = await vectorRows(h);
    const keep = (row: unknown) => (row as Row).data_subject_id !== A;
    expect(after.chunks).toEqual(before.vectors.chunks.filter(keep));
    expect(after.documents).toEqual(before.vectors.documents.filter(keep));
  });

  it("the request is closed (awaiting the Iceberg files' physical removal) with its subjects removed and A's salted hash kept", async () => {
    const [key] = await ledgerKeys();
    const requestId = /([0-9a-f]{32})\.[A-Za-z0-9_-]+\.json$/.exec(key)?.[1] as string;
    const item = await requestItem(requestId);
    expect(item?.status).toEqual({ S: 'awaiting-physical-removal' });
    expect(item?.subjects).toBeUndefined();
    expect(item?.subjectHashes).toEqual({ L: [{ S: createHmac('sha256', h.services.salt).update(A).digest('hex') }] });
    expect(item?.closedAt?.S).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('writes one Object-Locked ledger entry: the hash of A (not A), datasets, objects and row counts, verification passed', async () => {
    const keys = await ledgerKeys();
    expect(keys).toHaveLength(1);
    const entry = await ledgerEntry(keys[0]);
    expect(entry.subjects).toEqual([{ hash: createHmac('sha256', h.services.salt).update(A).digest('hex'), saltVersion: expect.stringMatching(/.+/) }]);
    // The second attempt: the first was released after the find failure.
    expect(entry).toMatchObject({ outcome: 'awaiting-physical-removal', regulation: 'gdpr', reference: 'TICKET-1401', attempt: 2, verification: { passed: true, failures: [] } });
    const datasets = Object.fromEntries((entry.datasets as Array<Record<string, unknown>>).map((dataset) => [dataset.dataset, dataset]));
    expect(datasets.events).toMatchObject({
      kind: 'parquet',
      rowsFound: 6,
      rowsRemoved: 6,
      objectsFound: 3,
      objectsRewritten: 2,
      objectsDeleted: 1,
      conflicts: 0,
      verification: { rowsRemaining: 0, passed: true },
    });
    // Every version that held A: onlyA's one, aAndB's two, cAndA's one.
    expect(datasets.events.versionsRemoved).toBe(4);
    expect(datasets.events_curated).toMatchObject({ kind: 'iceberg', rowsFound: 6, rowsRemoved: 6, objectsFound: 2, verification: { rowsRemaining: 0, passed: true } });
    // Each statement's Athena query execution id (its history holds no subject id): find, [DELETE, OPTIMIZE, VACUUM,] verify.
    // Exactly the queries this execution's Athena tasks ran, per dataset, in the order they ran.
    const ran = (states: string[]) =>
      run.answers.filter(({ call }) => states.includes(call.state)).map(({ answer }) => ('result' in answer ? (answer.result as { QueryExecution: { QueryExecutionId: string } }).QueryExecution.QueryExecutionId : 'failed'));
    expect(datasets.events.queryExecutionIds).toEqual(ran(['FindEvents', 'VerifyEvents']));
    expect(datasets.events_curated.queryExecutionIds).toEqual(ran(['FindEventsCurated', 'DeleteEventsCurated', 'OptimizeEventsCurated', 'VacuumEventsCurated', 'VerifyEventsCurated']));
    expect([datasets.events.queryExecutionIds.length, datasets.events_curated.queryExecutionIds.length]).toEqual([2, 5]);
    const queries = new Set(h.athenaServer.queries.map((query) => query.id));
    expect([...datasets.events.queryExecutionIds, ...datasets.events_curated.queryExecutionIds].every((id: string) => queries.has(id))).toBe(true);
    expect(entry.vectors).toMatchObject({ chunksDeleted: 4, documentsDeleted: 2, verification: { chunksRemaining: 0, documentsRemaining: 0, passed: true } });
    expect((entry.pendingPhysicalRemoval as Array<{ key: string }>).map((file) => file.key).sort()).toEqual([
      'events_curated/data/event_date_day=2026-03-01/00000-local.parquet',
      'events_curated/data/event_date_day=2026-03-02/00000-local.parquet',
    ]);
    const head = await h.services.s3.send(new HeadObjectCommand({ Bucket: NAMES.ledgerBucket, Key: keys[0] }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now());
  });

  it("every subjects file is gone with every version; so are the recorded batch's find and forget manifests", async () => {
    const keys = [...(await everyObjectText(h.services.s3, NAMES.workBucket)).keys()];
    expect(keys.filter((key) => key.startsWith('subjects/') || /^(find|forget)\/erase-a-first\//.test(key))).toEqual([]);
  });

  it("A's id is nowhere: ledger, work bucket, request table, SQL, payloads after intake, workflow variables, logs", async () => {
    const places: Record<string, string[]> = {
      ledger: [...(await everyObjectText(h.services.s3, NAMES.ledgerBucket)).values()],
      work: [...(await everyObjectText(h.services.s3, NAMES.workBucket)).values()],
      requests: await everyRequestItem(h),
      sql: h.athenaServer.queries.map((query) => query.sql),
      payloads: [...failed.run.calls, ...run.calls].filter((call) => call.state !== 'Intake').map((call) => JSON.stringify(call.arguments)),
      answers: [...failed.run.answers, ...run.answers].map((answer) => JSON.stringify(answer.answer)),
      variables: [JSON.stringify(failed.run.variables), JSON.stringify(run.variables)],
      logs: [logs],
    };
    expect(places.ledger.length * places.requests.length * places.sql.length * places.payloads.length * logs.length).toBeGreaterThan(0);
    const leaks = Object.entries(places).flatMap(([place, texts]) => texts.filter((text) => text.includes(A)).map((text) => `${place}: ${text.slice(0, 200)}`));
    expect(leaks).toEqual([]);
    // The intake payload is the only place A was handed to the workflow.
    expect(JSON.stringify(run.calls.find((call) => call.state === 'Intake')?.arguments)).toContain(A);
  });
});

describe('erasing A again', () => {
  let again: WorkflowRun;
  let ledgerBefore: string[];
  beforeAll(async () => {
    ledgerBefore = await ledgerKeys();
    // A new request (CCPA: another request id); the GDPR one is still open, awaiting physical removal.
    ({ run: again } = await erase({ requests: [{ subjects: [A], regulation: 'ccpa' }] }, 'erase-a-again'));
  });

  it('finds nothing, forgets nothing, and succeeds', () => {
    expect(again.status).toBe('SUCCEEDED');
    expect(again.path).toContain('VerifyResultsEventsCurated');
    expect(again.path.filter((state) => ['RewriteEvents', 'DeleteEventsCurated', 'OptimizeEventsCurated', 'VacuumEventsCurated'].includes(state))).toEqual([]);
  });

  it('records zero rows and zero vectors for the new request, completed (no Iceberg file held A)', async () => {
    const added = (await ledgerKeys()).filter((key) => !ledgerBefore.includes(key));
    expect(added).toHaveLength(1);
    const entry = await ledgerEntry(added[0]);
    expect(entry).toMatchObject({ outcome: 'completed', regulation: 'ccpa', verification: { passed: true } });
    expect((entry.datasets as Array<Record<string, unknown>>).map((d) => [d.dataset, d.rowsFound, d.rowsRemoved])).toEqual([
      ['events', 0, 0],
      ['events_curated', 0, 0],
    ]);
    expect(entry.vectors).toMatchObject({ chunksDeleted: 0, documentsDeleted: 0 });
    const item = await requestItem(entry.requestId as string);
    expect(item?.status).toEqual({ S: 'completed' });
    expect(item?.subjects).toBeUndefined();
  });
});
