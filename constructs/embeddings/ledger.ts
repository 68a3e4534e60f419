/**
 * The embeddings ledger (tables from migration 0003_embeddings_ledger), through any `pg`-compatible
 * client. Every value is a bound parameter.
 *
 * Consistency rules, enforced here:
 * - A document's chunks are swapped in one transaction with its ledger row: readers see the old
 *   version or the new one, never neither or both.
 * - A change is applied only when its S3 sequencer is newer than the one recorded (the upsert's WHERE
 *   takes the row lock and decides), so re-delivered and out-of-order events are no-ops. Deletes leave a
 *   tombstone row carrying their sequencer, so an older "created" arriving late cannot resurrect rows.
 * - Vectors of two models never meet: each (model, dimensions, chunker version) is a generation; a
 *   change builds a new generation side by side and switches in one transaction once every document
 *   of the active generation is in it.
 * - Every live generation has its own HNSW index from its first row: created (empty) in the transaction
 *   that creates the generation, dropped after the generation is retired (see
 *   vector-store/embeddings-generation-index.ts for why through functions and without CONCURRENTLY).
 */
// A broken connection (failover) rolls back on the server; the caller discards the client.
import { inTransaction, type SqlClient } from '../vector-store/migrator';
import { EMBEDDING_TABLES } from '../vector-store/embeddings-ledger-schema';
import { GENERATION_INDEX_DROP_LOCK_TIMEOUT, GENERATION_INDEX_FUNCTIONS } from '../vector-store/embeddings-generation-index';
import { compareSequencers } from './events';

const { generations: GENERATIONS, documents: DOCUMENTS, chunks: CHUNKS } = EMBEDDING_TABLES;

export interface Generation {
  readonly collection: string;
  readonly generation: number;
  readonly model: string;
  readonly dimensions: number;
  readonly chunkerVersion: string;
  readonly state: 'building' | 'active';
}

export interface GenerationSpec {
  readonly collection: string;
  readonly model: string;
  readonly dimensions: number;
  readonly chunkerVersion: string;
}

export interface Governance {
  readonly dataset?: string;
  readonly classification?: string;
  readonly dataSubjectId?: string;
}

export interface ChunkRow {
  readonly ordinal: number;
  readonly hash: string;
  readonly content: string;
  readonly tokens: number;
  /** pgvector text form. */
  readonly embedding: string;
  readonly metadata: Record<string, unknown>;
}

export interface DocumentChange {
  readonly generation: Generation;
  readonly sourceKey: string;
  readonly sequencer: string;
  readonly status: 'indexed' | 'skipped' | 'deleted';
  readonly versionId?: string;
  readonly etag?: string;
  readonly contentHash?: string;
  readonly skipReason?: string;
  readonly governance?: Governance;
  readonly chunks: readonly ChunkRow[];
}

export interface DocumentState {
  readonly sequencer: string;
  readonly status: string;
  readonly contentHash: string | null;
}

/** Sequencers are stored upper-case and left-padded to 64 characters, so text order is S3's order. */
export function normaliseSequencer(sequencer: string): string {
  return sequencer.toUpperCase().padStart(64, '0');
}

function toGeneration(row: Record<string, unknown>): Generation {
  return {
    collection: String(row.collection),
    generation: Number(row.generation),
    model: String(row.model),
    dimensions: Number(row.dimensions),
    chunkerVersion: String(row.chunker_version),
    state: row.state === 'active' ? 'active' : 'building',
  };
}

const matches = (g: Generation, spec: GenerationSpec) => g.model === spec.model && g.dimensions === spec.dimensions && g.chunkerVersion === spec.chunkerVersion;

/**
 * The generations to write to: the active one and, when the wanted spec differs from it, a building one
 * with the wanted spec (created here). A building generation for a spec no longer wanted is retired and
 * its rows deleted. The first generation of a collection is active at once (nothing to backfill).
 */
export async function liveGenerations(client: SqlClient, spec: GenerationSpec): Promise<Generation[]> {
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`embeddings:${spec.collection}`]);
    const { rows } = await client.query(`SELECT * FROM ${GENERATIONS} WHERE collection = $1 AND state IN ('active', 'building') ORDER BY generation`, [spec.collection]);
    const current = rows.map(toGeneration);
    const active = current.find((g) => g.state === 'active');
    let building = current.find((g) => g.state === 'building');
    if (building && !matches(building, spec)) {
      await retire(client, building);
      building = undefined;
    }
    if (active && matches(active, spec)) return [active];
    if (building) return active ? [active, building] : [building];
    const { rows: max } = await client.query(`SELECT coalesce(max(generation), 0) AS n FROM ${GENERATIONS} WHERE collection = $1`, [spec.collection]);
    const state = active ? 'building' : 'active';
    const { rows: created } = await client.query(
      `INSERT INTO ${GENERATIONS} (collection, generation, model, dimensions, chunker_version, state, activated_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'active' THEN now() END) RETURNING *`,
      [spec.collection, Number(max[0].n) + 1, spec.model, spec.dimensions, spec.chunkerVersion, state],
    );
    const fresh = toGeneration(created[0]);
    // Empty, so the build is one pass over the table under a SHARE lock (writers wait, searches do not).
    await client.query(`SELECT ${GENERATION_INDEX_FUNCTIONS.build}($1, $2)`, [fresh.collection, fresh.generation]);
    return active ? [active, fresh] : [fresh];
  });
}

async function retire(client: SqlClient, generation: Generation): Promise<void> {
  await client.query(`DELETE FROM ${CHUNKS} WHERE collection = $1 AND generation = $2`, [generation.collection, generation.generation]);
  await client.query(`DELETE FROM ${DOCUMENTS} WHERE collection = $1 AND generation = $2`, [generation.collection, generation.generation]);
  await client.query(`UPDATE ${GENERATIONS} SET state = 'retired' WHERE collection = $1 AND generation = $2`, [generation.collection, generation.generation]);
}

export async function documentState(client: SqlClient, generation: Generation, sourceKey: string): Promise<DocumentState | undefined> {
  const { rows } = await client.query(`SELECT sequencer, status, content_hash FROM ${DOCUMENTS} WHERE collection = $1 AND generation = $2 AND source_key = $3`, [
    generation.collection,
    generation.generation,
    sourceKey,
  ]);
  if (rows.length === 0) return undefined;
  return { sequencer: String(rows[0].sequencer), status: String(rows[0].status), contentHash: rows[0].content_hash === null ? null : String(rows[0].content_hash) };
}

/** True when an event with this sequencer would change nothing (an equal or newer one was applied). */
export function isStale(state: DocumentState | undefined, sequencer: string): boolean {
  return state !== undefined && compareSequencers(state.sequencer, sequencer) >= 0;
}

/** Embeddings already stored in this generation for these chunk hashes (any document): hash → vector text. */
export async function reusableEmbeddings(client: SqlClient, generation: Generation, hashes: readonly string[]): Promise<Map<string, string>> {
  if (hashes.length === 0) return new Map();
  const { rows } = await client.query(
    `SELECT DISTINCT ON (chunk_hash) chunk_hash, embedding::text AS embedding FROM ${CHUNKS}
      WHERE collection = $1 AND generation = $2 AND chunk_hash = ANY($3::text[])`,
    [generation.collection, generation.generation, `{${hashes.join(',')}}`],
  );
  return new Map(rows.map((row) => [String(row.chunk_hash), String(row.embedding)]));
}

/**
 * Applies a document change in one transaction. Returns false (and changes nothing) when the ledger
 * already holds an equal or newer sequencer for the document, or the generation has been retired.
 */
export async function swapDocument(client: SqlClient, change: DocumentChange): Promise<boolean> {
  const { generation: g, governance = {} } = change;
  const keep = change.status !== 'deleted';
  return inTransaction(client, async () => {
    // FOR SHARE: a switch (which updates this row) waits for swaps in flight, and a swap that starts after
    // it sees the generation retired and writes nothing (no orphan rows in a retired generation).
    const { rows: state } = await client.query(`SELECT state FROM ${GENERATIONS} WHERE collection = $1 AND generation = $2 FOR SHARE`, [g.collection, g.generation]);
    if (state[0]?.state !== 'active' && state[0]?.state !== 'building') return false;
    const { rows } = await client.query(
      `INSERT INTO ${DOCUMENTS} AS d (collection, generation, source_key, sequencer, version_id, etag, content_hash, status, skip_reason, dataset, classification, data_subject_id, chunk_count, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
       ON CONFLICT (collection, generation, source_key) DO UPDATE SET
         sequencer = EXCLUDED.sequencer, version_id = EXCLUDED.version_id, etag = EXCLUDED.etag, content_hash = EXCLUDED.content_hash,
         status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason, dataset = EXCLUDED.dataset, classification = EXCLUDED.classification,
         data_subject_id = EXCLUDED.data_subject_id, chunk_count = EXCLUDED.chunk_count, updated_at = now()
       WHERE d.sequencer COLLATE "C" < EXCLUDED.sequencer COLLATE "C"
       RETURNING 1 AS applied`,
      [
        g.collection,
        g.generation,
        change.sourceKey,
        normaliseSequencer(change.sequencer),
        change.versionId ?? null,
        keep ? (change.etag ?? null) : null,
        keep ? (change.contentHash ?? null) : null,
        change.status,
        change.skipReason ?? null,
        keep ? (governance.dataset ?? null) : null,
        keep ? (governance.classification ?? null) : null,
        keep ? (governance.dataSubjectId ?? null) : null,
        change.chunks.length,
      ],
    );
    if (rows.length === 0) return false;
    // Only rows that differ are replaced: an unchanged chunk (same ordinal, hash, text, metadata and
    // governance) keeps its row, so a re-ingest does not churn the generation's HNSW graph (every
    // deleted row stays in the graph as a dead element until VACUUM, costing recall and insert time).
    const incoming = `jsonb_to_recordset($4::jsonb) AS r(ordinal integer, hash text, content text, tokens integer, embedding text, metadata jsonb)`;
    const chunkParams = [g.collection, g.generation, change.sourceKey, JSON.stringify(change.chunks), governance.dataset ?? null, governance.classification ?? null, governance.dataSubjectId ?? null];
    await client.query(
      `DELETE FROM ${CHUNKS} c WHERE c.collection = $1 AND c.generation = $2 AND c.source_key = $3
          AND NOT EXISTS (SELECT 1 FROM ${incoming}
                           WHERE r.ordinal = c.ordinal AND r.hash = c.chunk_hash AND r.content = c.content AND r.tokens = c.tokens AND r.metadata = c.metadata
                             AND c.dataset IS NOT DISTINCT FROM $5::text AND c.classification IS NOT DISTINCT FROM $6::text AND c.data_subject_id IS NOT DISTINCT FROM $7::text)`,
      chunkParams,
    );
    if (change.chunks.length > 0) {
      // The rows kept above are exactly the ones whose ordinal is still taken.
      await client.query(
        `INSERT INTO ${CHUNKS} (collection, generation, source_key, ordinal, chunk_hash, content, tokens, embedding, metadata, dataset, classification, data_subject_id)
         SELECT $1, $2, $3, r.ordinal, r.hash, r.content, r.tokens, r.embedding::vector, r.metadata, $5, $6, $7 FROM ${incoming}
         ON CONFLICT (collection, generation, source_key, ordinal) DO NOTHING`,
        chunkParams,
      );
    }
    return true;
  });
}

export interface PendingDocument {
  readonly sourceKey: string;
  readonly sequencer: string;
  readonly versionId?: string;
}

/** Documents of the active generation not yet (or only in an older state) in the building one. */
export async function pendingBackfill(client: SqlClient, active: Generation, building: Generation, limit: number): Promise<PendingDocument[]> {
  const { rows } = await client.query(
    `SELECT a.source_key, a.sequencer, a.version_id FROM ${DOCUMENTS} a
       LEFT JOIN ${DOCUMENTS} b ON b.collection = a.collection AND b.generation = $3 AND b.source_key = a.source_key
      WHERE a.collection = $1 AND a.generation = $2 AND a.status <> 'deleted'
        AND (b.source_key IS NULL OR b.sequencer COLLATE "C" < a.sequencer COLLATE "C")
      ORDER BY a.source_key LIMIT $4`,
    [active.collection, active.generation, building.generation, limit],
  );
  return rows.map((row) => ({ sourceKey: String(row.source_key), sequencer: String(row.sequencer), versionId: row.version_id === null ? undefined : String(row.version_id) }));
}

/**
 * Makes the building generation the active one, in one transaction, if nothing is left to backfill;
 * the old generation is retired and its rows deleted in the same transaction.
 */
export async function activateIfComplete(client: SqlClient, active: Generation, building: Generation): Promise<boolean> {
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`embeddings:${active.collection}`]);
    if ((await pendingBackfill(client, active, building, 1)).length > 0) return false;
    await carryTombstones(client, active, building);
    await retire(client, active);
    await client.query(`UPDATE ${GENERATIONS} SET state = 'active', activated_at = now() WHERE collection = $1 AND generation = $2 AND state = 'building'`, [
      building.collection,
      building.generation,
    ]);
    return true;
  });
}

/**
 * Tombstones of the active generation that the building one lacks (or holds an older version of) are
 * copied into it, with their sequencers, before the switch: otherwise an older event delivered after the
 * switch (a late S3 event, a re-delivered Parquet file) would bring a deleted document back.
 */
async function carryTombstones(client: SqlClient, active: Generation, building: Generation): Promise<void> {
  const newer = `FROM ${DOCUMENTS} a WHERE a.collection = $1 AND a.generation = $2 AND a.status = 'deleted'`;
  await client.query(
    `DELETE FROM ${CHUNKS} c USING ${DOCUMENTS} b
      WHERE c.collection = $1 AND c.generation = $3 AND b.collection = $1 AND b.generation = $3 AND b.source_key = c.source_key
        AND EXISTS (SELECT 1 ${newer} AND a.source_key = b.source_key AND b.sequencer COLLATE "C" < a.sequencer COLLATE "C")`,
    [active.collection, active.generation, building.generation],
  );
  await client.query(
    `INSERT INTO ${DOCUMENTS} AS d (collection, generation, source_key, sequencer, version_id, status, chunk_count, updated_at)
     SELECT a.collection, $3, a.source_key, a.sequencer, a.version_id, 'deleted', 0, now() ${newer}
     ON CONFLICT (collection, generation, source_key) DO UPDATE SET
       sequencer = EXCLUDED.sequencer, version_id = EXCLUDED.version_id, etag = NULL, content_hash = NULL, status = 'deleted', skip_reason = NULL,
       dataset = NULL, classification = NULL, data_subject_id = NULL, chunk_count = 0, updated_at = now()
     WHERE d.sequencer COLLATE "C" < EXCLUDED.sequencer COLLATE "C"`,
    [active.collection, active.generation, building.generation],
  );
}

/** SQLSTATE lock_not_available: the lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Drops the indexes of the collection's retired generations, in a transaction of its own with a short
 * lock_timeout: DROP INDEX needs ACCESS EXCLUSIVE on the chunks table, and a drop queued behind a long
 * search would hold up the searches queued behind it. When the lock is not granted in time nothing is
 * dropped and `deferred` is true; the next call (the next batch) tries again. Returns the dropped names.
 */
export async function dropRetiredGenerationIndexes(client: SqlClient, collection: string): Promise<{ dropped: string[]; deferred: boolean }> {
  try {
    return await inTransaction(client, async () => {
      await client.query(`SET LOCAL lock_timeout = '${GENERATION_INDEX_DROP_LOCK_TIMEOUT}'`);
      const { rows } = await client.query(`SELECT ${GENERATION_INDEX_FUNCTIONS.dropRetired}($1) AS dropped`, [collection]);
      return { dropped: parseNames(rows[0]?.dropped), deferred: false };
    });
  } catch (error) {
    if ((error as { code?: unknown })?.code === LOCK_NOT_AVAILABLE) return { dropped: [], deferred: true };
    throw error;
  }
}

/** pg returns text[] as string[]; other drivers may return the literal `{a,b}`. */
function parseNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    const inner = value.replace(/^\{|\}$/g, '');
    return inner === '' ? [] : inner.split(',').map((item) => item.replace(/^"|"$/g, ''));
  }
  return [];
}
