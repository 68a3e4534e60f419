/**
 * Similarity search and upserts on the vector store's collections, with a `pg` Pool or Client.
 *
 * Safety: table names come only from the configured collections (an unknown name is an error, never
 * SQL); every value (embedding, filter, k, ids, content, metadata, search settings) is a bound
 * parameter. Query vectors are cast to the indexed type, and the ORDER BY expression is the index's, so
 * HNSW / IVFFlat indexes are used.
 */
import { validateCollections } from '../constructs/vector-store/collection-validation';
import type { VectorCollection } from '../constructs/vector-store/collections';
import { METRIC_SQL, distanceExpression, qualifiedName, usesHalfvec, vectorLiteral } from '../constructs/vector-store/sql';

/** What the client needs from pg.Client / pg.Pool / pg.PoolClient. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount?: number | null }>;
}

/** A pg.Pool: searches with settings (efSearch, probes) take one connection for their transaction. */
export interface PoolLike extends Queryable {
  connect(): Promise<Queryable & { release(error?: Error | boolean): void }>;
}

export interface VectorClientOptions {
  /** A pg.Pool (preferred). Exactly one of pool and client. */
  readonly pool?: PoolLike;
  /** A connected pg.Client. Exactly one of pool and client. */
  readonly client?: Queryable;
  /** The collections, as deployed (the same list the construct was given). */
  readonly collections: readonly VectorCollection[];
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Rows match when their metadata contains this object (jsonb `@>`). */
export type MetadataFilter = Readonly<Record<string, JsonValue>>;

export interface SearchOptions {
  /** `hnsw.ef_search` for this query (1-1000; pgvector default 40). Higher: better recall, slower. */
  readonly efSearch?: number;
  /** `ivfflat.probes` for this query (1-lists; pgvector default 1). */
  readonly probes?: number;
  /**
   * pgvector ≥ 0.8 iterative index scans (`hnsw.iterative_scan` / `ivfflat.iterative_scan`): with a
   * selective metadata filter, keeps scanning until k rows match instead of returning fewer.
   * @default pgvector's default ('off')
   */
  readonly iterativeScan?: 'off' | 'relaxed_order' | 'strict_order';
}

export interface SearchResult {
  readonly id: string;
  readonly documentId: string;
  readonly content: string;
  readonly metadata: Record<string, unknown>;
  /**
   * Higher is more similar. cosine: 1 - cosine distance (cosine similarity, -1..1); l2: 1 / (1 + euclidean
   * distance), 0..1; inner_product: the inner product.
   */
  readonly similarity: number;
  /** pgvector's distance: `<=>` cosine distance, `<->` euclidean distance, `<#>` negative inner product. Lower is closer. */
  readonly distance: number;
}

export interface EmbeddingRecord {
  /** Your stable key (≤ 255 characters); an existing row with this id is updated. */
  readonly documentId: string;
  readonly content: string;
  readonly embedding: ArrayLike<number>;
  /** @default {} */
  readonly metadata?: Readonly<Record<string, JsonValue>>;
}

export interface UpsertResult {
  readonly inserted: number;
  readonly updated: number;
}

export interface VectorClient {
  /** The configured collection names. */
  readonly collections: readonly string[];
  /** The k nearest rows to `embedding` (optionally among rows whose metadata contains `metadataFilter`), nearest first. */
  similaritySearch(collection: string, embedding: ArrayLike<number>, k: number, metadataFilter?: MetadataFilter, options?: SearchOptions): Promise<SearchResult[]>;
  /** Inserts or updates (by documentId) up to MAX_UPSERT_BATCH records in one statement. */
  upsertEmbeddings(collection: string, batch: readonly EmbeddingRecord[]): Promise<UpsertResult>;
}

export const MAX_K = 1000;
export const MAX_UPSERT_BATCH = 1000;
const MAX_DOCUMENT_ID_LENGTH = 255;
/** Largest finite halfvec value (IEEE 754 half precision). */
const HALFVEC_MAX = 65504;

/** Thrown for invalid input; nothing was sent to the database. */
export class VectorClientInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorClientInputError';
  }
}

interface PreparedCollection {
  readonly collection: VectorCollection;
  readonly searchSql: string;
  readonly filteredSearchSql: string;
  readonly upsertSql: string;
}

export function createVectorClient(options: VectorClientOptions): VectorClient {
  if (!options || (options.pool === undefined) === (options.client === undefined)) {
    throw new VectorClientInputError('createVectorClient needs exactly one of { pool } or { client }');
  }
  const queryable: Queryable = (options.pool ?? options.client) as Queryable;
  const collections = validateCollections(options.collections);
  const prepared = new Map<string, PreparedCollection>(collections.map((c) => [c.name, prepare(c)]));

  function lookup(name: unknown): PreparedCollection {
    const found = typeof name === 'string' ? prepared.get(name) : undefined;
    if (!found) {
      throw new VectorClientInputError(
        `Unknown collection ${JSON.stringify(name)}: configured collections are ${[...prepared.keys()].map((n) => `"${n}"`).join(', ') || '(none)'}`,
      );
    }
    return found;
  }

  async function inSettingsTransaction<T>(settings: Array<[string, string]>, work: (connection: Queryable) => Promise<T>): Promise<T> {
    if (settings.length === 0) return work(queryable);
    const connection = options.pool ? await options.pool.connect() : undefined;
    const target: Queryable = connection ?? queryable;
    let failed: Error | undefined;
    try {
      await target.query('BEGIN');
      try {
        for (const [name, value] of settings) await target.query('SELECT set_config($1, $2, true)', [name, value]);
        const result = await work(target);
        await target.query('COMMIT');
        return result;
      } catch (error) {
        await target.query('ROLLBACK').catch((rollbackError: Error) => {
          failed = rollbackError;
        });
        throw error;
      }
    } finally {
      connection?.release(failed ?? false);
    }
  }

  return {
    collections: [...prepared.keys()],

    async similaritySearch(name, embedding, k, metadataFilter, searchOptions) {
      const { collection, searchSql, filteredSearchSql } = lookup(name);
      const vector = checkEmbedding(collection, embedding, 'embedding');
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) throw new VectorClientInputError(`k must be an integer from 1 to ${MAX_K}, got ${String(k)}`);
      const filter = metadataFilter === undefined ? undefined : checkJsonObject(metadataFilter, 'metadataFilter');
      const settings = searchSettings(collection, searchOptions);
      const hasFilter = filter !== undefined && filter !== '{}';
      const { rows } = await inSettingsTransaction(settings, (connection) =>
        hasFilter ? connection.query(filteredSearchSql, [vector, filter, k]) : connection.query(searchSql, [vector, k]),
      );
      return rows.map((row) => ({
        id: String(row.id),
        documentId: String(row.document_id),
        content: String(row.content),
        metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {})) as Record<string, unknown>,
        similarity: Number(row.similarity),
        distance: Number(row.distance),
      }));
    },

    async upsertEmbeddings(name, batch) {
      const { collection, upsertSql } = lookup(name);
      if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_UPSERT_BATCH) {
        throw new VectorClientInputError(`batch must be an array of 1 to ${MAX_UPSERT_BATCH} records, got ${Array.isArray(batch) ? batch.length : typeof batch}`);
      }
      const documentIds: string[] = [];
      const contents: string[] = [];
      const embeddings: string[] = [];
      const metadata: string[] = [];
      const seen = new Set<string>();
      batch.forEach((record: EmbeddingRecord, index) => {
        const where = `batch[${index}]`;
        if (typeof record !== 'object' || record === null) throw new VectorClientInputError(`${where} is not a record`);
        const id = record.documentId;
        if (typeof id !== 'string' || id.length === 0 || [...id].length > MAX_DOCUMENT_ID_LENGTH) {
          throw new VectorClientInputError(`${where}.documentId must be a string of 1 to ${MAX_DOCUMENT_ID_LENGTH} characters`);
        }
        checkText(id, `${where}.documentId`);
        if (seen.has(id)) throw new VectorClientInputError(`${where}.documentId ${JSON.stringify(id)} appears twice in the batch (one statement can update a row once)`);
        seen.add(id);
        if (typeof record.content !== 'string') throw new VectorClientInputError(`${where}.content must be a string`);
        checkText(record.content, `${where}.content`);
        documentIds.push(id);
        contents.push(record.content);
        embeddings.push(checkEmbedding(collection, record.embedding, `${where}.embedding`));
        metadata.push(checkJsonObject(record.metadata ?? {}, `${where}.metadata`));
      });
      // Arrays travel as PostgreSQL array literals (text), so every driver binds them the same way.
      const { rows } = await queryable.query(upsertSql, [arrayLiteral(documentIds), arrayLiteral(contents), arrayLiteral(embeddings), arrayLiteral(metadata)]);
      const inserted = rows.filter((row) => row.inserted === true).length;
      return { inserted, updated: rows.length - inserted };
    },
  };
}

function prepare(collection: VectorCollection): PreparedCollection {
  const table = qualifiedName(collection.name);
  const distance = distanceExpression(collection, '$1');
  const select = `SELECT id, document_id, content, metadata, ${METRIC_SQL[collection.metric].similarity(distance)} AS similarity, ${distance} AS distance FROM ${table}`;
  return {
    collection,
    searchSql: `${select} ORDER BY ${distance} LIMIT $2`,
    filteredSearchSql: `${select} WHERE metadata @> $2::jsonb ORDER BY ${distance} LIMIT $3`,
    upsertSql:
      `INSERT INTO ${table} (document_id, content, embedding, metadata) ` +
      `SELECT * FROM unnest($1::varchar[], $2::text[], $3::vector[], $4::jsonb[]) ` +
      `ON CONFLICT (document_id) DO UPDATE SET content = EXCLUDED.content, embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata ` +
      `RETURNING (xmax = 0) AS inserted`,
  };
}

function searchSettings(collection: VectorCollection, options: SearchOptions | undefined): Array<[string, string]> {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw new VectorClientInputError('options must be an object');
  const settings: Array<[string, string]> = [];
  const method = collection.index.type;
  if (options.efSearch !== undefined) {
    if (!Number.isInteger(options.efSearch) || options.efSearch < 1 || options.efSearch > 1000) throw new VectorClientInputError(`options.efSearch must be an integer from 1 to 1000`);
    if (method !== 'hnsw') throw new VectorClientInputError(`options.efSearch applies to HNSW indexes; collection "${collection.name}" uses ${method} (use probes)`);
    settings.push(['hnsw.ef_search', String(options.efSearch)]);
  }
  if (options.probes !== undefined) {
    if (collection.index.type !== 'ivfflat') throw new VectorClientInputError(`options.probes applies to IVFFlat indexes; collection "${collection.name}" uses ${method} (use efSearch)`);
    if (!Number.isInteger(options.probes) || options.probes < 1 || options.probes > collection.index.lists) {
      throw new VectorClientInputError(`options.probes must be an integer from 1 to the collection's lists (${collection.index.lists})`);
    }
    settings.push(['ivfflat.probes', String(options.probes)]);
  }
  if (options.iterativeScan !== undefined) {
    if (!['off', 'relaxed_order', 'strict_order'].includes(options.iterativeScan)) {
      throw new VectorClientInputError(`options.iterativeScan must be "off", "relaxed_order" or "strict_order"`);
    }
    if (method === 'ivfflat' && options.iterativeScan === 'strict_order') {
      throw new VectorClientInputError('options.iterativeScan "strict_order" is HNSW only; IVFFlat supports "relaxed_order"');
    }
    settings.push([`${method}.iterative_scan`, options.iterativeScan]);
  }
  return settings;
}

/** Checks length, finiteness (and halfvec range) and returns pgvector's text form. */
function checkEmbedding(collection: VectorCollection, embedding: ArrayLike<number>, what: string): string {
  if (embedding === null || typeof embedding !== 'object' || typeof embedding.length !== 'number') {
    throw new VectorClientInputError(`${what} must be an array of numbers`);
  }
  if (embedding.length !== collection.dimensions) {
    throw new VectorClientInputError(`${what} has ${embedding.length} dimensions; collection "${collection.name}" has ${collection.dimensions}`);
  }
  const limit = usesHalfvec(collection.dimensions) ? HALFVEC_MAX : Number.MAX_VALUE;
  for (let i = 0; i < embedding.length; i += 1) {
    const value = embedding[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new VectorClientInputError(`${what}[${i}] is ${String(value)}: every value must be a finite number`);
    if (Math.abs(value) > limit) throw new VectorClientInputError(`${what}[${i}] = ${value} exceeds the halfvec range (±${HALFVEC_MAX}) the index uses above 2000 dimensions`);
  }
  return vectorLiteral(embedding);
}

/** A plain JSON object, serialised; refuses what jsonb cannot store (NUL characters). */
function checkJsonObject(value: unknown, what: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new VectorClientInputError(`${what} must be a plain JSON object`);
  }
  let json: string;
  try {
    json = JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'number' && !Number.isFinite(item)) throw new VectorClientInputError(`${what} contains ${item}, which JSON cannot represent`);
      if (typeof item === 'bigint' || typeof item === 'function' || typeof item === 'symbol' || item === undefined) {
        throw new VectorClientInputError(`${what} contains a ${typeof item}, which JSON cannot represent`);
      }
      return item;
    });
  } catch (error) {
    if (error instanceof VectorClientInputError) throw error;
    throw new VectorClientInputError(`${what} is not serialisable as JSON: ${(error as Error).message}`);
  }
  if (json.includes('\\u0000')) throw new VectorClientInputError(`${what} contains a NUL character (\\u0000), which PostgreSQL's jsonb cannot store`);
  return json;
}

/** `{"a","b \\"quoted\\""}`: every element quoted, backslashes and double quotes escaped (array_in's rules). */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function checkText(value: string, what: string): void {
  if (value.includes('\u0000')) throw new VectorClientInputError(`${what} contains a NUL character, which PostgreSQL text cannot store`);
}
