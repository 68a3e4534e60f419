import type { DatasetDefinition } from '../../constructs/datasets';

/**
 * Text that feeds the embeddings pipeline (vector store): one row per document version. The `documents`
 * collection reads these rows (constructs/embeddings/README.md, "Rows collections"): the newest
 * `updated_at` per `document_id` is what is searchable, and a row with empty `content` deletes the document.
 */
export const documents: DatasetDefinition = {
  name: 'documents',
  zone: 'curated',
  owner: 'ml-platform',
  domain: 'knowledge',
  description: 'Documents whose text is embedded for retrieval-augmented generation.',
  columns: [
    { name: 'document_id', type: 'varchar(255)', description: 'Stable identifier of the document', classification: 'internal' },
    { name: 'content', type: 'string', description: 'Full text of the document; null or empty deletes the document from the embeddings collection', classification: 'confidential' },
    { name: 'metadata', type: 'map<string,string>', description: 'Source system, title, language and other attributes', classification: 'internal' },
    { name: 'updated_at', type: 'timestamp', description: 'When this version of the document was written, UTC', classification: 'internal' },
  ],
  format: 'parquet',
  partitioning: {
    time: { granularity: 'day', source: { kind: 'event-time', column: 'updated_at' }, maxLatenessDays: 30 },
  },
  freshnessSloMinutes: 60,
  ingestion: 'batch',
  // Deployed before sharding: pinned to the base stacks so its resources never move (README, "Sharding").
  shard: 'base',
  quality: {
    completeness: { document_id: 1, content: 0.999 },
    uniqueKey: ['document_id', 'updated_at'],
  },
};
