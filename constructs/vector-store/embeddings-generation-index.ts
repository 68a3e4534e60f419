/**
 * One approximate-nearest-neighbour index per embeddings generation (migration
 * `0004_embeddings_generation_indexes`).
 *
 * `embedding_chunks.embedding` is an untyped `vector` (generations of different dimensions share the
 * table) and pgvector cannot index a column without dimensions. So each generation gets a partial
 * expression index on its own rows:
 *
 *   CREATE INDEX … ON public.embedding_chunks USING hnsw ((embedding::vector(N)) vector_cosine_ops)
 *     WITH (m = 16, ef_construction = 128) WHERE collection = '<c>' AND generation = <g>
 *
 * and the document search orders by exactly that expression, with exactly that predicate written as
 * literals (`generationSearchSql`), so the planner can prove the predicate (a generic plan with bound
 * parameters could not) and match the expression.
 *
 * Who builds it: the pipeline connects as `<db>_readwrite`, which does not own the table, and CREATE
 * INDEX needs ownership. Rather than handing the application role ownership (it could then drop or
 * alter the tables), two SECURITY DEFINER functions owned by the migrating user do exactly this and
 * nothing else; the ledger calls them. PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a
 * function, so:
 * - the index is created in the transaction that creates the generation, while the generation has no
 *   rows: no graph to build, the SHARE lock lasts one pass over the table, and SHARE blocks writers
 *   only; searches (ACCESS SHARE) go on. The graph then grows row by row as the generation fills.
 * - the retired generation's index is dropped after the switch, in its own short transaction with a
 *   lock_timeout (DROP INDEX takes ACCESS EXCLUSIVE: a long wait in the lock queue would hold searches
 *   up, so it gives up and the next batch tries again).
 * Above 2,000 dimensions the cast is `halfvec(N)` (pgvector indexes `vector` up to 2,000 and `halfvec`
 * up to 4,000); above 4,000 there is no index and searches scan the generation's rows exactly.
 */
import { createHash } from 'node:crypto';
import { PGVECTOR_LIMITS } from './collections';
import type { RoleNames } from './migrations';
import { EMBEDDING_TABLES } from './embeddings-ledger-schema';
import { VECTOR_SCHEMA, quoteIdent } from './sql';

/**
 * HNSW build parameters of generation indexes: the vector store's collection default (m 16,
 * ef_construction 128), chosen there by measured recall (constructs/vector-store/BENCHMARK.md).
 */
export const GENERATION_INDEX_PARAMETERS = { m: 16, efConstruction: 128 } as const;

/** How long dropping a retired generation's index may wait for its lock before leaving it to the next batch. */
export const GENERATION_INDEX_DROP_LOCK_TIMEOUT = '500ms';

export const GENERATION_INDEX_FUNCTIONS = {
  build: `${VECTOR_SCHEMA}.embedding_generation_index_build`,
  dropRetired: `${VECTOR_SCHEMA}.embedding_generation_indexes_drop_retired`,
  name: `${VECTOR_SCHEMA}.embedding_generation_index_name`,
} as const;

/** The type a generation's vectors are cast to, for the index and the query alike. */
export function generationVectorType(dimensions: number): 'vector' | 'halfvec' {
  return dimensions > PGVECTOR_LIMITS.maxIndexedVectorDimensions ? 'halfvec' : 'vector';
}

/** False above 4,000 dimensions: no pgvector index type takes them; the search scans exactly. */
export function generationIsIndexable(dimensions: number): boolean {
  return dimensions <= PGVECTOR_LIMITS.maxIndexedHalfvecDimensions;
}

/**
 * `embedding_chunks_hnsw_<collection, first 18>_<md5(collection), 8>_g<generation>` (at most 61
 * characters): readable, and unique per (collection, generation) even when names share a prefix. The
 * SQL function `embedding_generation_index_name` computes the same.
 */
export function generationIndexName(collection: string, generation: number): string {
  const hash = createHash('md5').update(collection).digest('hex').slice(0, 8);
  return `embedding_chunks_hnsw_${collection.slice(0, 18)}_${hash}_g${generation}`;
}

export interface GenerationSearchTarget {
  /** A validated collection name (lower-case letters, digits, underscores). */
  readonly collection: string;
  readonly generation: number;
  readonly dimensions: number;
}

/**
 * The predicate and the cast vector expression a search must use for the generation's index to apply:
 * `c.collection = '<c>' AND c.generation = <g>` and `(c.embedding::vector(N))`. The collection is
 * written as a literal only after the same check the identifiers get.
 */
export function generationSearchSql(target: GenerationSearchTarget, alias: string): { predicate: string; expression: string; queryCast: string } {
  quoteIdent(target.collection);
  if (!Number.isInteger(target.generation) || target.generation < 1) throw new Error(`Refusing generation ${String(target.generation)}: expected a positive integer`);
  if (!Number.isInteger(target.dimensions) || target.dimensions < 1) throw new Error(`Refusing dimensions ${String(target.dimensions)}: expected a positive integer`);
  const type = generationIsIndexable(target.dimensions) ? generationVectorType(target.dimensions) : 'vector';
  return {
    predicate: `${alias}.collection = '${target.collection}' AND ${alias}.generation = ${target.generation}`,
    expression: `(${alias}.embedding::${type}(${target.dimensions}))`,
    queryCast: `${type}(${target.dimensions})`,
  };
}

/** The functions of migration 0004: name, build (active/building generations), drop (retired generations). */
export function generationIndexStatements(roles: RoleNames): string[] {
  const { generations, chunks } = EMBEDDING_TABLES;
  const { build, dropRetired, name } = GENERATION_INDEX_FUNCTIONS;
  const { m, efConstruction } = GENERATION_INDEX_PARAMETERS;
  // SECURITY DEFINER functions pin search_path (pg_temp last) and qualify every name, so a caller's
  // objects cannot stand in for ours.
  const definer = `LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp`;
  return [
    `CREATE OR REPLACE FUNCTION ${name}(p_collection text, p_generation integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp AS $fn$
  SELECT 'embedding_chunks_hnsw_' || left(p_collection, 18) || '_' || left(md5(p_collection), 8) || '_g' || p_generation::text
$fn$`,
    `CREATE OR REPLACE FUNCTION ${build}(p_collection text, p_generation integer) RETURNS text
${definer} AS $fn$
DECLARE
  g record;
  index_name text;
  cast_type text;
BEGIN
  SELECT dimensions, state INTO g FROM ${generations} WHERE collection = p_collection AND generation = p_generation;
  -- Only live generations get an index; the caller cannot name a table, a type or a dimension.
  IF NOT FOUND OR g.state NOT IN ('active', 'building') OR g.dimensions > ${PGVECTOR_LIMITS.maxIndexedHalfvecDimensions} THEN
    RETURN NULL;
  END IF;
  cast_type := CASE WHEN g.dimensions > ${PGVECTOR_LIMITS.maxIndexedVectorDimensions} THEN 'halfvec' ELSE 'vector' END;
  index_name := ${name}(p_collection, p_generation);
  -- Checked first: CREATE INDEX IF NOT EXISTS would take the table's SHARE lock before noticing.
  IF to_regclass('${VECTOR_SCHEMA}.' || quote_ident(index_name)) IS NOT NULL THEN
    RETURN index_name;
  END IF;
  EXECUTE format(
    'CREATE INDEX %I ON ${chunks} USING hnsw ((embedding::public.%s(%s)) public.%s_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction}) WHERE collection = %L AND generation = %s',
    index_name, cast_type, g.dimensions, cast_type, p_collection, p_generation);
  RETURN index_name;
END
$fn$`,
    `CREATE OR REPLACE FUNCTION ${dropRetired}(p_collection text) RETURNS text[]
${definer} AS $fn$
DECLARE
  g record;
  index_name text;
  dropped text[] := '{}';
BEGIN
  FOR g IN SELECT generation FROM ${generations} WHERE collection = p_collection AND state = 'retired' ORDER BY generation LOOP
    index_name := ${name}(p_collection, g.generation);
    IF to_regclass('${VECTOR_SCHEMA}.' || quote_ident(index_name)) IS NOT NULL THEN
      EXECUTE format('DROP INDEX ${VECTOR_SCHEMA}.%I', index_name);
      dropped := dropped || index_name;
    END IF;
  END LOOP;
  RETURN dropped;
END
$fn$`,
    `REVOKE ALL ON FUNCTION ${build}(text, integer), ${dropRetired}(text) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION ${build}(text, integer), ${dropRetired}(text) TO ${quoteIdent(roles.readWrite)}`,
    // Generations created before this migration get their index now (none on a new database).
    `DO $$
BEGIN
  PERFORM ${build}(collection, generation) FROM ${generations} WHERE state IN ('active', 'building');
END
$$`,
  ];
}
