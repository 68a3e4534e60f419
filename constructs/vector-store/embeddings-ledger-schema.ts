/**
 * Schema of the embeddings pipeline (migration `0003_embeddings_ledger`): the ledger and the chunk
 * vectors live in the same database as the collections, so a document's chunks and its ledger row
 * change in one transaction.
 *
 * - `embedding_generations`: one row per (collection, generation) with the model, dimensions and
 *   chunker version its vectors were made with. At most one `active` (served) and one `building`
 *   (being filled after a model/dimension/chunker change) per collection; readers only read the active
 *   generation, so vectors of two models are never mixed in one search.
 * - `embedding_documents`: per generation and S3 object (`s3://bucket/key`): the last S3 sequencer
 *   applied (events older than it are ignored), version, ETag, content hash, status (`indexed`,
 *   `skipped` with a reason, `deleted` as a tombstone that keeps ordering) and the governance columns.
 * - `embedding_chunks`: one row per chunk with its hash (for reusing an embedding), text, token
 *   count, vector and metadata, plus the governance columns, so an erasure finds every row of a subject.
 *   The `embedding` column is an untyped `vector`: generations of different dimensions share the table;
 *   searches cast to the generation's dimensions.
 */
import type { RoleNames } from './migrations';
import { VECTOR_SCHEMA, quoteIdent } from './sql';

export const EMBEDDING_TABLES = {
  generations: `${VECTOR_SCHEMA}.embedding_generations`,
  documents: `${VECTOR_SCHEMA}.embedding_documents`,
  chunks: `${VECTOR_SCHEMA}.embedding_chunks`,
} as const;

export function embeddingsLedgerStatements(roles: RoleNames): string[] {
  const { generations, documents, chunks } = EMBEDDING_TABLES;
  return [
    `CREATE TABLE IF NOT EXISTS ${generations} (
  collection text NOT NULL,
  generation integer NOT NULL CHECK (generation > 0),
  model text NOT NULL,
  dimensions integer NOT NULL CHECK (dimensions BETWEEN 1 AND 16000),
  chunker_version text NOT NULL,
  state text NOT NULL CHECK (state IN ('building', 'active', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz,
  PRIMARY KEY (collection, generation)
)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS embedding_generations_one_active ON ${generations} (collection) WHERE state = 'active'`,
    `CREATE UNIQUE INDEX IF NOT EXISTS embedding_generations_one_building ON ${generations} (collection) WHERE state = 'building'`,
    `CREATE TABLE IF NOT EXISTS ${documents} (
  collection text NOT NULL,
  generation integer NOT NULL,
  source_key text NOT NULL,
  sequencer text NOT NULL,
  version_id text,
  etag text,
  content_hash text,
  status text NOT NULL CHECK (status IN ('indexed', 'skipped', 'deleted')),
  skip_reason text,
  dataset text,
  classification text,
  data_subject_id text,
  chunk_count integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, generation, source_key),
  FOREIGN KEY (collection, generation) REFERENCES ${generations} (collection, generation)
)`,
    `CREATE INDEX IF NOT EXISTS embedding_documents_subject ON ${documents} (data_subject_id) WHERE data_subject_id IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${chunks} (
  collection text NOT NULL,
  generation integer NOT NULL,
  source_key text NOT NULL,
  ordinal integer NOT NULL CHECK (ordinal >= 0),
  chunk_hash text NOT NULL,
  content text NOT NULL,
  tokens integer NOT NULL,
  embedding vector NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  dataset text,
  classification text,
  data_subject_id text,
  PRIMARY KEY (collection, generation, source_key, ordinal),
  FOREIGN KEY (collection, generation, source_key) REFERENCES ${documents} (collection, generation, source_key) ON DELETE CASCADE
)`,
    `CREATE INDEX IF NOT EXISTS embedding_chunks_hash ON ${chunks} (collection, generation, chunk_hash)`,
    `CREATE INDEX IF NOT EXISTS embedding_chunks_subject ON ${chunks} (data_subject_id) WHERE data_subject_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS embedding_chunks_metadata_gin ON ${chunks} USING gin (metadata)`,
    `GRANT SELECT ON ${generations}, ${documents}, ${chunks} TO ${quoteIdent(roles.readOnly)}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${generations}, ${documents}, ${chunks} TO ${quoteIdent(roles.readWrite)}`,
  ];
}
