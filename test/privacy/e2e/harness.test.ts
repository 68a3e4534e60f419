/**
 * The end-to-end erasure harness itself, before any erasure code runs on it: the local Athena answers
 * the SDK over what moto's buckets hold (raw Parquet as uploaded, the subjects table from the work
 * bucket, the Iceberg-shaped table), pages results, fails a statement it cannot run, and PGlite holds
 * each subject's chunks. A broken harness would make the end-to-end test prove nothing.
 */
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { DeleteObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, localPlan, PRIVACY_DATABASE, startErasureHarness, type ErasureHarness } from './harness';
import { NAMES } from './services';
import { SUBJECTS } from './subjects-fixture';

let h: ErasureHarness;
beforeAll(async () => {
  h = await startErasureHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Runs a statement through the SDK; returns its state and, when it succeeded, every page of rows (header first). */
async function athena(sql: string, pageSize?: number): Promise<{ state: string; reason?: string; rows: Array<Array<string | undefined>>; pages: number }> {
  const { QueryExecutionId } = await h.athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: 'privacy' }));
  const { QueryExecution } = await h.athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
  const state = QueryExecution?.Status?.State as string;
  if (state !== 'SUCCEEDED') return { state, reason: QueryExecution?.Status?.StateChangeReason, rows: [], pages: 0 };
  const rows: Array<Array<string | undefined>> = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await h.athena.send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: pageSize, NextToken: token }));
    rows.push(...(page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((cell) => cell.VarCharValue)));
    token = page.NextToken;
    pages += 1;
  } while (token);
  return { state, rows, pages };
}

describe('the local Athena over moto', () => {
  it('reads the raw events Parquet objects as uploaded: rows per subject from current versions only', async () => {
    const result = await athena(`SELECT user_id, count(*) AS n FROM "${DATABASES.raw}"."events" GROUP BY user_id ORDER BY user_id NULLS LAST`);
    expect(result).toMatchObject({ state: 'SUCCEEDED' });
    expect(result.rows).toEqual([['user_id', 'n'], [SUBJECTS.A, '6'], [SUBJECTS.B, '4'], [SUBJECTS.C, '5'], [undefined, '1']]);
  });

  it('pages results: the header row first, MaxResults rows a page, NextToken until the end', async () => {
    const result = await athena(`SELECT event_id FROM "${DATABASES.raw}"."events" ORDER BY event_id`, 4);
    expect(result.rows).toHaveLength(1 + 16);
    expect(result.pages).toBe(5);
    expect(result.rows[0]).toEqual(['event_id']);
  });

  it('sees an object change in the bucket at the next statement (the mirror is refreshed per statement)', async () => {
    const count = async () => (await athena(`SELECT count(*) AS n FROM "${DATABASES.raw}"."events"`)).rows[1][0];
    expect(await count()).toBe('16');
    const versions = await h.services.s3.send(new ListObjectVersionsCommand({ Bucket: NAMES.rawBucket, Prefix: h.raw.onlyC }));
    await h.services.s3.send(new DeleteObjectCommand({ Bucket: NAMES.rawBucket, Key: h.raw.onlyC }));
    expect(await count()).toBe('14');
    // Undo: remove the delete marker, the object is current again.
    const markers = await h.services.s3.send(new ListObjectVersionsCommand({ Bucket: NAMES.rawBucket, Prefix: h.raw.onlyC }));
    await h.services.s3.send(new DeleteObjectCommand({ Bucket: NAMES.rawBucket, Key: h.raw.onlyC, VersionId: markers.DeleteMarkers?.[0].VersionId }));
    expect(versions.Versions).toHaveLength(1);
    expect(await count()).toBe('16');
  });

  it('reads erasure_subjects from the batch subjects files in the work bucket, batch_id from the folder', async () => {
    const empty = await athena(`SELECT count(*) AS n FROM "${PRIVACY_DATABASE}"."erasure_subjects"`);
    expect(empty.rows[1]).toEqual(['0']);
    const key = 'subjects/batch_id=b-1/subjects.json';
    await h.services.s3.send(new PutObjectCommand({ Bucket: NAMES.workBucket, Key: key, Body: `{"subject_id":"${SUBJECTS.B}"}\n{"subject_id":"${SUBJECTS.C}"}\n` }));
    try {
      const result = await athena(
        `SELECT batch_id, count(*) AS n FROM "${DATABASES.raw}"."events" e JOIN "${PRIVACY_DATABASE}"."erasure_subjects" s ON e.user_id = s.subject_id WHERE s.batch_id = 'b-1' GROUP BY batch_id`,
      );
      expect(result.rows).toEqual([['batch_id', 'n'], ['b-1', '9']]);
    } finally {
      await h.services.s3.send(new DeleteObjectCommand({ Bucket: NAMES.workBucket, Key: key }));
    }
  });

  it('records OPTIMIZE (with the rows its WHERE selects) and VACUUM without running them; refuses other forms', async () => {
    const table = `"${DATABASES.curated}"."events_curated"`;
    expect((await athena(`OPTIMIZE ${table} REWRITE DATA USING BIN_PACK WHERE event_date IN (DATE '2026-03-02')`)).state).toBe('SUCCEEDED');
    expect((await athena(`VACUUM ${table}`)).state).toBe('SUCCEEDED');
    expect(h.localAthena.skipped.slice(-2)).toEqual([
      { kind: 'optimize', sql: `OPTIMIZE ${table} REWRITE DATA USING BIN_PACK WHERE event_date IN (DATE '2026-03-02')`, rowsSelected: 6 },
      { kind: 'vacuum', sql: `VACUUM ${table}` },
    ]);
    const wrong = await athena(`OPTIMIZE ${table} REWRITE DATA USING BIN_PACK WHERE no_such_column = 1`);
    expect(wrong.state).toBe('FAILED');
    expect(wrong.reason).toContain('no_such_column');
  });

  it('runs DELETE on the Iceberg-shaped table and reports the rows deleted as the update count', async () => {
    const table = `"${DATABASES.curated}"."events_curated"`;
    await h.lake.connection.run(`CREATE TEMP TABLE curated_backup AS SELECT * FROM ${table}`);
    try {
      const { QueryExecutionId } = await h.athena.send(new StartQueryExecutionCommand({ QueryString: `DELETE FROM ${table} WHERE user_id = '${SUBJECTS.C}'` }));
      const page = await h.athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
      expect(page.UpdateCount).toBe(5);
      expect((await athena(`SELECT count(*) AS n FROM ${table}`)).rows[1]).toEqual(['11']);
    } finally {
      await h.lake.connection.run(`DELETE FROM ${table}`);
      await h.lake.connection.run(`INSERT INTO ${table} SELECT * FROM curated_backup`);
      await h.lake.connection.run('DROP TABLE curated_backup');
    }
  });
});

describe('the erasure plan on the local Athena', () => {
  it("answers the real plan's find statements with the objects' S3 paths (Parquet) and data files by day (Iceberg)", async () => {
    const key = 'subjects/batch_id=harness-1/subjects.json';
    await h.services.s3.send(new PutObjectCommand({ Bucket: NAMES.workBucket, Key: key, Body: `{"subject_id":"${SUBJECTS.A}"}\n` }));
    try {
      const [raw, curated] = localPlan();
      const found = await athena(raw.findSql('harness-1'));
      expect(found.state).toBe('SUCCEEDED');
      expect(found.rows).toEqual([
        ['$path', 'dt', 'hour', '$rows'],
        [`s3://${NAMES.rawBucket}/${h.raw.onlyA}`, '2026-03-01', '9', '3'],
        [`s3://${NAMES.rawBucket}/${h.raw.aAndB}`, '2026-03-01', '14', '2'],
        [`s3://${NAMES.rawBucket}/${h.raw.cAndA}`, '2026-03-02', '21', '1'],
      ]);
      const files = await athena(curated.findSql('harness-1'));
      expect(files.rows).toEqual([
        ['$path', 'event_date_day', '$rows'],
        [`s3://${NAMES.curatedBucket}/events_curated/data/event_date_day=2026-03-01/00000-local.parquet`, '2026-03-01', '5'],
        [`s3://${NAMES.curatedBucket}/events_curated/data/event_date_day=2026-03-02/00000-local.parquet`, '2026-03-02', '1'],
      ]);
    } finally {
      await h.services.s3.send(new DeleteObjectCommand({ Bucket: NAMES.workBucket, Key: key }));
    }
  });
});

describe('the vector store on PGlite', () => {
  it('holds chunks for each subject and for no subject', async () => {
    const { rows } = await h.sql.query(`SELECT data_subject_id AS subject, count(*)::int AS n FROM embedding_chunks GROUP BY 1 ORDER BY 1 NULLS LAST`);
    expect(rows).toEqual([
      { subject: SUBJECTS.A, n: 4 },
      { subject: SUBJECTS.B, n: 2 },
      { subject: SUBJECTS.C, n: 2 },
      { subject: null, n: 2 },
    ]);
  });
});
