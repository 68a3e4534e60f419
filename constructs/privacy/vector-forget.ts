/**
 * Forgetting data subjects in the vector store: the embeddings ledger tables (`embedding_chunks`,
 * `embedding_documents`) carry the subject in `data_subject_id` (set by the embeddings pipeline from the
 * object's metadata; chunks also carry it in `metadata.data_subject_id`).
 *
 * - forget: in one transaction, delete the subjects' chunks (by the column, by the metadata key, or
 *   because their document is the subject's) and then their documents, so a failure leaves nothing
 *   half-deleted; then, outside the transaction (VACUUM cannot run inside one), VACUUM both tables so
 *   the deleted rows leave the table's pages instead of waiting for autovacuum. VACUUM without the
 *   MAINTAIN privilege does not fail, it warns and skips: the privilege is checked first and the result
 *   says `vacuumed: false` with the reason (PostgreSQL 16 has no such privilege; see
 *   constructs/vector-store/privacy-role.ts).
 * - verify: count what is left for the subjects (must be 0).
 *
 * Subject ids are bound parameters (`$1::text[]`), never SQL text: statement logs hold no ids.
 * Works with any `pg`-compatible client (pg.Client on RDS, PGlite in tests).
 */
import { EMBEDDING_TABLES } from '../vector-store/embeddings-ledger-schema';
import { MAINTAIN_SINCE_VERSION_NUM } from '../vector-store/privacy-role';

export interface VectorSql {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount?: number | null }>;
}

export interface VectorCounts {
  readonly chunks: number;
  readonly documents: number;
}

export interface VectorForgetResult extends VectorCounts {
  readonly vacuumed: boolean;
  readonly vacuumSkippedReason?: string;
}

const { chunks: CHUNKS, documents: DOCUMENTS } = EMBEDDING_TABLES;

const CHUNK_MATCH = `(c.data_subject_id = ANY($1::text[])
   OR c.metadata->>'data_subject_id' = ANY($1::text[])
   OR EXISTS (SELECT 1 FROM ${DOCUMENTS} d
               WHERE d.collection = c.collection AND d.generation = c.generation AND d.source_key = c.source_key
                 AND d.data_subject_id = ANY($1::text[])))`;

export const FORGET_CHUNKS_SQL = `DELETE FROM ${CHUNKS} c WHERE ${CHUNK_MATCH}`;
export const FORGET_DOCUMENTS_SQL = `DELETE FROM ${DOCUMENTS} WHERE data_subject_id = ANY($1::text[])`;
export const COUNT_CHUNKS_SQL = `SELECT count(*)::int AS n FROM ${CHUNKS} c WHERE ${CHUNK_MATCH}`;
export const COUNT_DOCUMENTS_SQL = `SELECT count(*)::int AS n FROM ${DOCUMENTS} WHERE data_subject_id = ANY($1::text[])`;

function checkSubjects(subjects: readonly string[]): string[] {
  if (!Array.isArray(subjects) || subjects.length === 0 || subjects.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('vector forget needs a non-empty list of subject ids');
  }
  return [...new Set(subjects)];
}

/** Deletes the subjects' chunks and documents in one transaction, then VACUUMs (when permitted). */
export async function forgetVectors(db: VectorSql, subjects: readonly string[]): Promise<VectorForgetResult> {
  const ids = checkSubjects(subjects);
  let counts: VectorCounts;
  await db.query('BEGIN');
  try {
    const chunks = await db.query(FORGET_CHUNKS_SQL, [ids]);
    const documents = await db.query(FORGET_DOCUMENTS_SQL, [ids]);
    await db.query('COMMIT');
    counts = { chunks: chunks.rowCount ?? 0, documents: documents.rowCount ?? 0 };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const skipped = await vacuumProblem(db);
  if (skipped) return { ...counts, vacuumed: false, vacuumSkippedReason: skipped };
  await db.query(`VACUUM (ANALYZE) ${CHUNKS}, ${DOCUMENTS}`);
  return { ...counts, vacuumed: true };
}

/** What remains for the subjects (both 0 after a complete forget). */
export async function remainingVectors(db: VectorSql, subjects: readonly string[]): Promise<VectorCounts> {
  const ids = checkSubjects(subjects);
  const chunks = await db.query(COUNT_CHUNKS_SQL, [ids]);
  const documents = await db.query(COUNT_DOCUMENTS_SQL, [ids]);
  return { chunks: Number(chunks.rows[0]?.n ?? 0), documents: Number(documents.rows[0]?.n ?? 0) };
}

/** Why this session's VACUUM would be skipped, or undefined when it will run. */
export async function vacuumProblem(db: VectorSql): Promise<string | undefined> {
  const { rows } = await db.query(`SELECT current_setting('server_version_num')::int AS version, current_user AS who`);
  const version = Number(rows[0]?.version);
  const who = String(rows[0]?.who);
  if (version < MAINTAIN_SINCE_VERSION_NUM) {
    return `PostgreSQL ${Math.floor(version / 10_000)} has no MAINTAIN privilege (only a table's owner may VACUUM it): the deleted rows are reclaimed by autovacuum`;
  }
  const { rows: allowed } = await db.query(
    `SELECT has_table_privilege(current_user, '${CHUNKS}', 'MAINTAIN') AND has_table_privilege(current_user, '${DOCUMENTS}', 'MAINTAIN') AS ok`,
  );
  if (allowed[0]?.ok !== true) return `role ${who} lacks MAINTAIN on the embeddings tables (VACUUM would skip them with a warning): the deleted rows are reclaimed by autovacuum`;
  return undefined;
}
