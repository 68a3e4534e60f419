/**
 * Validation of vector collections (and of the database name the bootstrap derives role names from).
 * Runs at synth (the construct) and again in the bootstrap handler, which receives the collections as
 * JSON: every check here is written for untrusted input. All problems are reported at once, each with
 * the collection, the field, the bad value and the fix.
 */
import { renderValue, ValidationReport } from '../common/validation-report';
import { PGVECTOR_LIMITS, type VectorCollection } from './collections';
import { DISTANCE_METRICS, LEDGER_TABLE, derivedRelationNames, isGeneratedVectorIndexName } from './sql';

/**
 * PostgreSQL 17 keywords that cannot be table names unquoted: `pg_get_keywords()` categories R
 * (reserved) and T (reserved, can be a function or type name). Checked against a live server in
 * test/vector-store/validation.test.ts.
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze from ' +
    'full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
    'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning ' +
    'right select session_user similar some symmetric system_user table tablesample then to trailing true union unique user ' +
    'using variadic verbose when where window with'
  ).split(' '),
);

/**
 * Names that are not keywords but would collide in the `public` schema: the ledger, and pgvector's
 * types (a table is also a composite type of the same name, so `CREATE TABLE vector` fails).
 */
export const RESERVED_COLLECTION_NAMES: ReadonlySet<string> = new Set([LEDGER_TABLE, 'vector', 'halfvec', 'sparsevec']);

/** Longest collection name: its longest vector index name (`_ivfflat_cos_lists32768`) must fit 63 bytes. */
export const MAX_COLLECTION_NAME_LENGTH = 40;
/** Longest database name: `<db>_readwrite` must fit 63 bytes. */
export const MAX_DATABASE_NAME_LENGTH = 53;

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

export interface CollectionProblem {
  /** `collections[0] ("document_embeddings")` */
  readonly collection: string;
  /** `name`, `dimensions`, `metric`, `index.type`, `index.m`, `index.efConstruction`, `index.lists` */
  readonly field: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

/**
 * Every problem with a set of collections, as the one validation report: each line names the
 * collection's position and field, the value and the fix.
 */
export class VectorCollectionValidationError extends ValidationReport {
  constructor(readonly collectionProblems: readonly CollectionProblem[]) {
    super(
      collectionProblems.map((p) => {
        // A duplicate names every position (`collections[0], collections[1]`): point at the repeat.
        const position = [...p.collection.matchAll(/collections\[(\d+)\]/g)].map((match) => match[1]).pop();
        const field = `collections${position === undefined ? '' : `[${position}]`}${p.field === '(root)' ? '' : `.${p.field}`}`;
        return { source: 'vector collections', field, value: renderValue(p.value), allowed: `${p.problem}; ${p.fix}` };
      }),
    );
    this.name = 'VectorCollectionValidationError';
  }
}

/** Throws a VectorCollectionValidationError listing every problem, or returns the collections unchanged. */
export function validateCollections(collections: readonly VectorCollection[]): readonly VectorCollection[] {
  const problems = collectionProblems(collections);
  if (problems.length > 0) throw new VectorCollectionValidationError(problems);
  return collections;
}

/** Every problem with the collections (empty when valid). Accepts anything, e.g. parsed JSON. */
export function collectionProblems(collections: unknown): CollectionProblem[] {
  if (!Array.isArray(collections)) {
    return [{ collection: 'collections', field: '(root)', value: collections, problem: 'not an array', fix: 'pass an array of { name, dimensions, metric, index }' }];
  }
  const problems: CollectionProblem[] = [];
  const named = new Map<string, number[]>();
  collections.forEach((candidate: unknown, position) => {
    const record = isRecord(candidate) ? candidate : undefined;
    const name = typeof record?.name === 'string' ? record.name : undefined;
    const label = `collections[${position}]${name !== undefined ? ` (${JSON.stringify(name)})` : ''}`;
    const add = (field: string, value: unknown, problem: string, fix: string) => problems.push({ collection: label, field, value, problem, fix });
    if (!record) {
      add('(root)', candidate, 'not an object', 'declare { name, dimensions, metric, index }');
      return;
    }
    checkName(record.name, add);
    if (name !== undefined) named.set(name, [...(named.get(name) ?? []), position]);
    checkDimensions(record.dimensions, add);
    if (typeof record.metric !== 'string' || !(DISTANCE_METRICS as string[]).includes(record.metric)) {
      add('metric', record.metric, 'unknown distance metric', `use one of ${DISTANCE_METRICS.map((m) => `"${m}"`).join(', ')}`);
    }
    checkIndex(record.index, add);
  });

  for (const [name, positions] of named) {
    if (positions.length > 1) {
      problems.push({
        collection: positions.map((p) => `collections[${p}]`).join(', '),
        field: 'name',
        value: name,
        problem: `duplicate collection name (${positions.length} collections would share table public.${name})`,
        fix: 'give each collection its own name',
      });
    }
  }
  // Tables and indexes share one namespace: a collection must not be named like another's index.
  const names = [...named.keys()];
  for (const name of names) {
    for (const other of names) {
      if (other === name) continue;
      if (derivedRelationNames(other).includes(name) || isGeneratedVectorIndexName(other, name)) {
        problems.push({
          collection: `collections[${named.get(name)?.[0]}] (${JSON.stringify(name)})`,
          field: 'name',
          value: name,
          problem: `collides with an index of collection "${other}" (tables and indexes share the schema's namespace)`,
          fix: `rename one of "${name}" and "${other}"`,
        });
      }
    }
  }
  return problems;
}

type Add = (field: string, value: unknown, problem: string, fix: string) => void;

function checkName(name: unknown, add: Add): void {
  if (typeof name !== 'string' || name === '') {
    add('name', name, 'missing', 'give the collection a snake_case name, e.g. "document_embeddings"');
    return;
  }
  if (!SNAKE_CASE.test(name)) {
    const suggestion = name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[^a-z]+|_+$/g, '');
    add(
      'name',
      name,
      'not snake_case',
      `use lower-case letters, digits and single underscores, starting with a letter${SNAKE_CASE.test(suggestion) ? `, e.g. "${suggestion}"` : ''}`,
    );
  }
  if (name.length > MAX_COLLECTION_NAME_LENGTH) {
    add('name', name, `longer than ${MAX_COLLECTION_NAME_LENGTH} characters (its index names must fit PostgreSQL's 63-byte identifiers)`, 'shorten the name');
  }
  const lower = name.toLowerCase();
  if (POSTGRES_RESERVED_WORDS.has(lower)) add('name', name, 'an SQL reserved word in PostgreSQL', `choose another name, e.g. "${lower}_embeddings"`);
  if (lower.startsWith('pg_')) add('name', name, 'the pg_ prefix is reserved for PostgreSQL system names', 'drop the pg_ prefix');
  if (lower === LEDGER_TABLE) add('name', name, 'the name of the migration ledger table', 'choose another name');
  else if (RESERVED_COLLECTION_NAMES.has(lower)) add('name', name, `the name of a pgvector type in the same schema`, `choose another name, e.g. "${lower}_embeddings"`);
}

function checkDimensions(dimensions: unknown, add: Add): void {
  const { maxDimensions, maxIndexedVectorDimensions, maxIndexedHalfvecDimensions } = PGVECTOR_LIMITS;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
    add('dimensions', dimensions, 'not a positive integer', `use the embedding model's output size (1-${maxIndexedHalfvecDimensions}), e.g. 1536`);
  } else if (dimensions > maxDimensions) {
    add('dimensions', dimensions, `above pgvector's ${maxDimensions.toLocaleString('en-US')}-dimension limit for vector columns`, `use at most ${maxIndexedHalfvecDimensions} (the index limit)`);
  } else if (dimensions > maxIndexedHalfvecDimensions) {
    add(
      'dimensions',
      dimensions,
      `above pgvector's index limit: HNSW and IVFFlat index vector up to ${maxIndexedVectorDimensions.toLocaleString('en-US')} dimensions and ` +
        `halfvec up to ${maxIndexedHalfvecDimensions.toLocaleString('en-US')}, and every collection is indexed`,
      `reduce the embedding to at most ${maxIndexedHalfvecDimensions} dimensions (many models can shorten their output, e.g. a "dimensions" parameter)`,
    );
  }
}

function checkIndex(index: unknown, add: Add): void {
  if (!isRecord(index)) {
    add('index', index, 'missing', 'declare { type: "hnsw", m, efConstruction } or { type: "ivfflat", lists }');
    return;
  }
  const { hnswM, hnswEfConstruction, ivfflatLists } = PGVECTOR_LIMITS;
  if (index.type === 'hnsw') {
    const mValid = isIntegerIn(index.m, hnswM.min, hnswM.max);
    if (!mValid) add('index.m', index.m, `outside pgvector's HNSW range ${hnswM.min}-${hnswM.max} (integer)`, 'use 16 (the pgvector default) unless benchmarks say otherwise');
    const ef = index.efConstruction;
    if (!isIntegerIn(ef, hnswEfConstruction.min, hnswEfConstruction.max)) {
      add('index.efConstruction', ef, `outside pgvector's HNSW range ${hnswEfConstruction.min}-${hnswEfConstruction.max} (integer)`, 'use 64 (the pgvector default) or more');
    } else if (mValid && (ef as number) < 2 * (index.m as number)) {
      add('index.efConstruction', ef, `below 2 × m = ${2 * (index.m as number)} (pgvector refuses ef_construction < 2 × m)`, `use at least ${2 * (index.m as number)}`);
    }
  } else if (index.type === 'ivfflat') {
    if (!isIntegerIn(index.lists, ivfflatLists.min, ivfflatLists.max)) {
      add('index.lists', index.lists, `outside pgvector's IVFFlat range ${ivfflatLists.min}-${ivfflatLists.max} (integer)`, 'use rows / 1000 up to 1M rows, sqrt(rows) above');
    }
  } else {
    add('index.type', index.type, 'unknown index type', 'use "hnsw" or "ivfflat"');
  }
}

/** The database the collections live in; role names are derived from it (`<db>_readwrite`, `<db>_readonly`). */
export function validateDatabaseName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(name) || name.length > MAX_DATABASE_NAME_LENGTH) {
    throw new Error(
      `Invalid database name ${show(name)}: use lower-case letters, digits and underscores, starting with a letter, at most ` +
        `${MAX_DATABASE_NAME_LENGTH} characters (the roles <db>_readwrite and <db>_readonly must fit PostgreSQL's 63-byte identifiers)`,
    );
  }
  if (name.startsWith('pg_') || POSTGRES_RESERVED_WORDS.has(name)) {
    throw new Error(`Invalid database name "${name}": reserved in PostgreSQL (pg_ prefix or a reserved word); choose another name`);
  }
  return name;
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
