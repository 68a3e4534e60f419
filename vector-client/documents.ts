/**
 * Document-aware search over the embeddings pipeline's chunks (tables from migration
 * 0003_embeddings_ledger), and delete-by-document.
 *
 * A search reads only the collection's active generation (one model, one dimension count), checks the
 * query vector against it, and returns the top-k chunks with their document (S3 key, version, ETag) and
 * metadata, optionally filtered by metadata (`metadata @> filter`, or `metadata->>'field' = value`),
 * dataset or classification. It orders by the generation's indexed expression (`embedding::vector(N)`)
 * under the generation's index predicate, both written as literals (`generationSearchSql`): the
 * dimension count must be a literal in a type modifier, and a partial index is only usable when the
 * planner can prove its predicate, which it cannot from bound parameters in a generic plan. The
 * collection name is checked before it is written; every other value is a bound parameter.
 */
import type { DistanceMetric } from '../constructs/vector-store/collections';
import { METRIC_SQL, vectorLiteral } from '../constructs/vector-store/sql';
import { EMBEDDING_TABLES } from '../constructs/vector-store/embeddings-ledger-schema';
import { generationSearchSql } from '../constructs/vector-store/embeddings-generation-index';
import { MAX_K, VectorClientInputError, type MetadataFilter, type Queryable } from './client';

const { generations: GENERATIONS, documents: DOCUMENTS, chunks: CHUNKS } = EMBEDDING_TABLES;

export interface ChunkSearchFilter {
  /** Chunks whose metadata contains this object (jsonb `@>`, uses the GIN index). */
  readonly metadata?: MetadataFilter;
  /** Chunks whose metadata field equals the text (`metadata->>'status' = 'active'`). */
  readonly metadataEquals?: Readonly<Record<string, string>>;
  readonly dataset?: string;
  readonly classification?: string;
}

export interface ChunkSearchResult {
  /** `s3://bucket/key`. */
  readonly sourceKey: string;
  readonly ordinal: number;
  readonly content: string;
  readonly metadata: Record<string, unknown>;
  readonly dataset: string | null;
  readonly classification: string | null;
  readonly versionId: string | null;
  readonly etag: string | null;
  readonly distance: number;
  /** Higher is more similar (see SearchResult.similarity). */
  readonly similarity: number;
}

export interface ActiveGeneration {
  readonly generation: number;
  readonly model: string;
  readonly dimensions: number;
}

export interface DocumentClient {
  /** The generation searches read, or undefined when the collection has none yet. */
  activeGeneration(collection: string): Promise<ActiveGeneration | undefined>;
  /** The k chunks nearest to `embedding` in the collection's active generation, nearest first. */
  searchChunks(collection: string, embedding: ArrayLike<number>, k: number, filter?: ChunkSearchFilter): Promise<ChunkSearchResult[]>;
  /**
   * Removes a document's chunks in every generation and turns its ledger rows into tombstones (status
   * `deleted`, governance fields cleared), in one statement. The tombstone keeps the S3 sequencer, so a
   * late event for an older version does not bring the rows back. Returns the number of chunks removed.
   */
  deleteDocument(collection: string, sourceKey: string): Promise<{ chunks: number; documents: number }>;
}

export interface DocumentClientOptions {
  readonly queryable: Queryable;
  /** The distance the pipeline's vectors are compared with. @default 'cosine' (Titan and Cohere vectors are normalized) */
  readonly metric?: DistanceMetric;
}

const FIELD = /^[A-Za-z0-9_.:-]{1,128}$/;

export function createDocumentClient(options: DocumentClientOptions): DocumentClient {
  const { queryable } = options;
  const metric = options.metric ?? 'cosine';
  if (!(metric in METRIC_SQL)) throw new VectorClientInputError(`metric must be one of ${Object.keys(METRIC_SQL).join(', ')}`);
  const checkName = (collection: unknown) => {
    if (typeof collection !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(collection)) throw new VectorClientInputError(`collection ${JSON.stringify(collection)} is not a collection name`);
  };

  async function activeGeneration(collection: string): Promise<ActiveGeneration | undefined> {
    checkName(collection);
    const { rows } = await queryable.query(`SELECT generation, model, dimensions FROM ${GENERATIONS} WHERE collection = $1 AND state = 'active'`, [collection]);
    return rows.length === 0 ? undefined : { generation: Number(rows[0].generation), model: String(rows[0].model), dimensions: Number(rows[0].dimensions) };
  }

  return {
    activeGeneration,

    async searchChunks(collection, embedding, k, filter = {}) {
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > MAX_K) throw new VectorClientInputError(`k must be an integer from 1 to ${MAX_K}, got ${String(k)}`);
      const active = await activeGeneration(collection);
      if (!active) return [];
      if (!embedding || typeof embedding.length !== 'number' || embedding.length !== active.dimensions) {
        throw new VectorClientInputError(
          `embedding has ${embedding?.length} dimensions; collection "${collection}" is served by ${active.model} at ${active.dimensions} dimensions (embed the query with the same model)`,
        );
      }
      for (let i = 0; i < embedding.length; i += 1) {
        if (typeof embedding[i] !== 'number' || !Number.isFinite(embedding[i])) throw new VectorClientInputError(`embedding[${i}] is ${String(embedding[i])}: every value must be a finite number`);
      }
      const target = generationSearchSql({ collection, generation: active.generation, dimensions: active.dimensions }, 'c');
      const distance = `${target.expression} ${METRIC_SQL[metric].operator} $1::${target.queryCast}`;
      const params: unknown[] = [vectorLiteral(embedding)];
      const where: string[] = [target.predicate];
      const bind = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (filter.metadata !== undefined) {
        if (typeof filter.metadata !== 'object' || filter.metadata === null || Array.isArray(filter.metadata)) throw new VectorClientInputError('filter.metadata must be a plain JSON object');
        where.push(`c.metadata @> ${bind(JSON.stringify(filter.metadata))}::jsonb`);
      }
      for (const [field, value] of Object.entries(filter.metadataEquals ?? {})) {
        if (!FIELD.test(field) || typeof value !== 'string') throw new VectorClientInputError(`filter.metadataEquals.${field} must be a field name (letters, digits, _ . : -) with a string value`);
        where.push(`c.metadata ->> ${bind(field)} = ${bind(value)}`);
      }
      if (filter.dataset !== undefined) where.push(`c.dataset = ${bind(String(filter.dataset))}`);
      if (filter.classification !== undefined) where.push(`c.classification = ${bind(String(filter.classification))}`);
      const { rows } = await queryable.query(
        `SELECT c.source_key, c.ordinal, c.content, c.metadata, c.dataset, c.classification, d.version_id, d.etag,
                ${distance} AS distance, ${METRIC_SQL[metric].similarity(distance)} AS similarity
           FROM ${CHUNKS} c JOIN ${DOCUMENTS} d ON d.collection = c.collection AND d.generation = c.generation AND d.source_key = c.source_key
          WHERE ${where.join(' AND ')}
          ORDER BY ${distance} LIMIT ${bind(k)}`,
        params,
      );
      return rows.map((row) => ({
        sourceKey: String(row.source_key),
        ordinal: Number(row.ordinal),
        content: String(row.content),
        metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {})) as Record<string, unknown>,
        dataset: row.dataset === null ? null : String(row.dataset),
        classification: row.classification === null ? null : String(row.classification),
        versionId: row.version_id === null ? null : String(row.version_id),
        etag: row.etag === null ? null : String(row.etag),
        distance: Number(row.distance),
        similarity: Number(row.similarity),
      }));
    },

    async deleteDocument(collection, sourceKey) {
      checkName(collection);
      if (typeof sourceKey !== 'string' || sourceKey === '') throw new VectorClientInputError('sourceKey must be a non-empty string (s3://bucket/key)');
      const { rows } = await queryable.query(
        `WITH gone AS (DELETE FROM ${CHUNKS} WHERE collection = $1 AND source_key = $2 RETURNING 1),
              tomb AS (UPDATE ${DOCUMENTS} SET status = 'deleted', skip_reason = NULL, etag = NULL, content_hash = NULL, dataset = NULL,
                              classification = NULL, data_subject_id = NULL, chunk_count = 0, updated_at = now()
                        WHERE collection = $1 AND source_key = $2 RETURNING 1)
         SELECT (SELECT count(*) FROM gone)::int AS chunks, (SELECT count(*) FROM tomb)::int AS documents`,
        [collection, sourceKey],
      );
      return { chunks: Number(rows[0].chunks), documents: Number(rows[0].documents) };
    },
  };
}
