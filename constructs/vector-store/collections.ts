/**
 * Vector collections: what the bootstrap migrations create and the client queries. One table per
 * collection, shaped like the seed's `document_embeddings`, with a vector index whose operator class
 * follows the distance metric.
 */

export type DistanceMetric = 'cosine' | 'l2' | 'inner_product';

/** HNSW: better recall/latency trade-off, slower builds, more memory. */
export interface HnswIndex {
  readonly type: 'hnsw';
  /** Max connections per layer (pgvector: 2-100). */
  readonly m: number;
  /** Candidate list size while building (pgvector: 4-1000, and ≥ 2 × m). */
  readonly efConstruction: number;
}

/** IVFFlat: fast builds, needs data before building, recall depends on probes. */
export interface IvfflatIndex {
  readonly type: 'ivfflat';
  /** Number of lists (pgvector: 1-32768); rows / 1000 is the usual start. */
  readonly lists: number;
}

export type VectorIndex = HnswIndex | IvfflatIndex;

export interface VectorCollection {
  /** Table name: snake_case, not reserved, not a system name. */
  readonly name: string;
  /** Embedding dimensions (1-16000; above 2000 the index is built on a halfvec cast, up to 4000). */
  readonly dimensions: number;
  readonly metric: DistanceMetric;
  readonly index: VectorIndex;
}

/** pgvector limits (pgvector README, 0.8.x). */
export const PGVECTOR_LIMITS = {
  /** `vector` columns hold up to 16,000 dimensions. */
  maxDimensions: 16_000,
  /** HNSW and IVFFlat index `vector` up to 2,000 dimensions... */
  maxIndexedVectorDimensions: 2_000,
  /** ...and `halfvec` up to 4,000. */
  maxIndexedHalfvecDimensions: 4_000,
  hnswM: { min: 2, max: 100 },
  hnswEfConstruction: { min: 4, max: 1_000 },
  ivfflatLists: { min: 1, max: 32_768 },
} as const;

/** The seed's default collection. Index defaults are chosen by bench/vector (see this folder's README). */
export const DEFAULT_COLLECTION: VectorCollection = {
  name: 'document_embeddings',
  dimensions: 1536,
  metric: 'cosine',
  index: { type: 'hnsw', m: 16, efConstruction: 128 },
};
