/**
 * SQL building blocks shared by the migrations (what is created) and the vector client (how it is
 * queried), so that the query's ORDER BY expression is always the one the index was built on.
 * Pure functions, no CDK and no driver: bundled into the bootstrap handler and used by vector-client.
 */
import type { DistanceMetric, VectorCollection, VectorIndex } from './collections';
import { PGVECTOR_LIMITS } from './collections';

/** Every collection table lives in this schema (qualified everywhere, so a user's search_path never matters). */
export const VECTOR_SCHEMA = 'public';
/** The migration ledger. */
export const LEDGER_TABLE = 'schema_migrations';

/** What a validated identifier looks like: lower-case letters, digits and underscores, ≤ 63 bytes. */
const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Quotes an identifier that has already been validated. Anything else throws: identifiers are never
 * built from unvalidated input, and this is the last line of defence if that ever changes.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string' || !SAFE_IDENTIFIER.test(name)) {
    throw new Error(`Refusing to use ${JSON.stringify(name)} as an SQL identifier: expected lower-case letters, digits and underscores (at most 63)`);
  }
  return `"${name}"`;
}

/** `public."name"`. */
export function qualifiedName(name: string): string {
  return `${VECTOR_SCHEMA}.${quoteIdent(name)}`;
}

export interface MetricSql {
  /** pgvector distance operator. */
  readonly operator: '<=>' | '<->' | '<#>';
  /** Operator class suffix (`vector_` or `halfvec_` in front). */
  readonly opclassSuffix: 'cosine_ops' | 'l2_ops' | 'ip_ops';
  /** Short code used in index names. */
  readonly code: 'cos' | 'l2' | 'ip';
  /**
   * Turns the distance expression into a "higher is more similar" score:
   * - cosine: `1 - cosine distance` = cosine similarity, in [-1, 1];
   * - l2: `1 / (1 + euclidean distance)`, in (0, 1];
   * - inner product: `<#>` is the negative inner product, so `-(distance)` = the inner product.
   */
  readonly similarity: (distance: string) => string;
}

export const METRIC_SQL: Readonly<Record<DistanceMetric, MetricSql>> = {
  cosine: { operator: '<=>', opclassSuffix: 'cosine_ops', code: 'cos', similarity: (d) => `1 - (${d})` },
  l2: { operator: '<->', opclassSuffix: 'l2_ops', code: 'l2', similarity: (d) => `1 / (1 + (${d}))` },
  inner_product: { operator: '<#>', opclassSuffix: 'ip_ops', code: 'ip', similarity: (d) => `-(${d})` },
};

export const DISTANCE_METRICS = Object.keys(METRIC_SQL) as DistanceMetric[];

/** Above 2,000 dimensions the index is built on a `halfvec` cast of the column (pgvector's index limits). */
export function usesHalfvec(dimensions: number): boolean {
  return dimensions > PGVECTOR_LIMITS.maxIndexedVectorDimensions;
}

/** The indexed expression: `embedding`, or `(embedding::halfvec(N))` above 2,000 dimensions. */
export function indexedExpression(collection: Pick<VectorCollection, 'dimensions'>): string {
  return usesHalfvec(collection.dimensions) ? `(embedding::halfvec(${collection.dimensions}))` : 'embedding';
}

/** The query vector parameter, cast to the indexed type: `$1::vector(N)` or `$1::halfvec(N)`. */
export function queryVectorParameter(collection: Pick<VectorCollection, 'dimensions'>, placeholder: string): string {
  return `${placeholder}::${usesHalfvec(collection.dimensions) ? 'halfvec' : 'vector'}(${collection.dimensions})`;
}

/** The distance expression the query orders by; identical to the index's expression and operator. */
export function distanceExpression(collection: Pick<VectorCollection, 'dimensions' | 'metric'>, placeholder: string): string {
  return `${indexedExpression(collection)} ${METRIC_SQL[collection.metric].operator} ${queryVectorParameter(collection, placeholder)}`;
}

/** `vector_cosine_ops`, `halfvec_l2_ops`, … */
export function operatorClass(collection: Pick<VectorCollection, 'dimensions' | 'metric'>): string {
  return `${usesHalfvec(collection.dimensions) ? 'halfvec' : 'vector'}_${METRIC_SQL[collection.metric].opclassSuffix}`;
}

/** Index parameters in the index name, so that a parameter change is a new index. */
function indexParameters(index: VectorIndex): string {
  return index.type === 'hnsw' ? `m${index.m}_efc${index.efConstruction}` : `lists${index.lists}`;
}

/**
 * `<table>_<hnsw|ivfflat>_<cos|l2|ip>_<parameters>`, e.g. `document_embeddings_hnsw_cos_m16_efc64`.
 * The longest suffix is 23 characters (`_ivfflat_cos_lists32768`), hence collection names ≤ 40.
 */
export function vectorIndexName(collection: VectorCollection): string {
  return `${collection.name}_${collection.index.type}_${METRIC_SQL[collection.metric].code}_${indexParameters(collection.index)}`;
}

/** Recognises the vector index names this library generates for a table (current or superseded). */
export function isGeneratedVectorIndexName(table: string, indexName: string): boolean {
  const rest = indexName.startsWith(`${table}_`) ? indexName.slice(table.length + 1) : undefined;
  return rest !== undefined && /^(hnsw_(cos|l2|ip)_m\d+_efc\d+|ivfflat_(cos|l2|ip)_lists\d+)$/.test(rest);
}

/** `WITH (m = 16, ef_construction = 64)` / `WITH (lists = 100)`. */
export function indexWithClause(index: VectorIndex): string {
  return index.type === 'hnsw' ? `WITH (m = ${index.m}, ef_construction = ${index.efConstruction})` : `WITH (lists = ${index.lists})`;
}

/** The reloptions PostgreSQL stores for the index (pg_class.reloptions), for checks. */
export function expectedReloptions(index: VectorIndex): string[] {
  return index.type === 'hnsw' ? [`m=${index.m}`, `ef_construction=${index.efConstruction}`] : [`lists=${index.lists}`];
}

/** pgvector's text form of a vector: `[1,2,3]`. Callers validate the numbers first. */
export function vectorLiteral(values: ArrayLike<number>): string {
  return `[${Array.from(values, (value) => String(value)).join(',')}]`;
}

/** Names of the relations a collection creates besides the vector index (tables and indexes share a namespace). */
export function derivedRelationNames(name: string): string[] {
  return [name, `${name}_pkey`, `${name}_document_id_key`, `${name}_metadata_gin`];
}
