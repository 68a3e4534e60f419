import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import {
  POSTGRES_RESERVED_WORDS,
  VectorCollectionValidationError,
  collectionProblems,
  validateCollections,
  validateDatabaseName,
} from '../../constructs/vector-store/collection-validation';
import { DEFAULT_COLLECTION, type VectorCollection } from '../../constructs/vector-store/collections';
import { newDatabase } from './pglite';

const valid: VectorCollection = { name: 'docs', dimensions: 3, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } };
const ivf: VectorCollection = { name: 'docs', dimensions: 3, metric: 'l2', index: { type: 'ivfflat', lists: 100 } };

/** The single problem a bad collection raises, as { field, problem, fix }. */
function problemsOf(collections: unknown): Array<{ field: string; problem: string; fix: string }> {
  return collectionProblems(collections).map(({ field, problem, fix }) => ({ field, problem, fix }));
}

describe('validateCollections', () => {
  it('accepts the default collection and both index types', () => {
    expect(validateCollections([DEFAULT_COLLECTION, { ...ivf, name: 'images' }])).toHaveLength(2);
    expect(validateCollections([])).toEqual([]);
  });

  it('refuses an unknown metric and names the allowed ones', () => {
    const [problem] = problemsOf([{ ...valid, metric: 'dot' }]);
    expect(problem.field).toBe('metric');
    expect(problem.fix).toContain('"cosine", "l2", "inner_product"');
  });

  it.each([0, -3, 1.5, 32769, Number.NaN])('refuses IVFFlat lists = %s', (lists) => {
    const [problem] = problemsOf([{ ...ivf, index: { type: 'ivfflat', lists } }]);
    expect(problem).toMatchObject({ field: 'index.lists' });
    expect(problem.problem).toContain('1-32768');
  });

  it.each([1, 101, 16.5])('refuses HNSW m = %s', (m) => {
    const [problem] = problemsOf([{ ...valid, index: { type: 'hnsw', m, efConstruction: 400 } }]);
    expect(problem).toMatchObject({ field: 'index.m' });
    expect(problem.problem).toContain('2-100');
  });

  it('refuses ef_construction outside 4-1000 and below 2 × m', () => {
    expect(problemsOf([{ ...valid, index: { type: 'hnsw', m: 2, efConstruction: 3 } }])[0].problem).toContain('4-1000');
    expect(problemsOf([{ ...valid, index: { type: 'hnsw', m: 16, efConstruction: 1001 } }])[0].problem).toContain('4-1000');
    const [below] = problemsOf([{ ...valid, index: { type: 'hnsw', m: 16, efConstruction: 31 } }]);
    expect(below).toMatchObject({ field: 'index.efConstruction', fix: 'use at least 32' });
    expect(problemsOf([{ ...valid, index: { type: 'hnsw', m: 16, efConstruction: 32 } }])).toEqual([]);
  });

  it('refuses an unknown index type', () => {
    expect(problemsOf([{ ...valid, index: { type: 'diskann' } }])[0]).toMatchObject({ field: 'index.type' });
  });

  it.each([0, -1, 2.5, '1536'])('refuses dimensions = %s', (dimensions) => {
    expect(problemsOf([{ ...valid, dimensions }])[0]).toMatchObject({ field: 'dimensions', problem: 'not a positive integer' });
  });

  it('indexes 2001-4000 dimensions through halfvec, refuses more with the index limit as the reason', () => {
    expect(problemsOf([{ ...valid, dimensions: 2001 }])).toEqual([]);
    expect(problemsOf([{ ...valid, dimensions: 4000 }])).toEqual([]);
    const [tooMany] = problemsOf([{ ...valid, dimensions: 4001 }]);
    expect(tooMany.field).toBe('dimensions');
    expect(tooMany.problem).toMatch(/pgvector's index limit.*2,000.*halfvec up to 4,000/);
    expect(problemsOf([{ ...valid, dimensions: 16_001 }])[0].problem).toContain('16,000-dimension limit for vector columns');
  });

  it.each([
    ['DocEmbeddings', 'not snake_case', 'e.g. "doc_embeddings"'],
    ['doc-embeddings', 'not snake_case', 'e.g. "doc_embeddings"'],
    ['1docs', 'not snake_case', 'starting with a letter'],
    ['docs__x', 'not snake_case', 'single underscores'],
    ['select', 'reserved word', '"select_embeddings"'],
    ['user', 'reserved word', '"user_embeddings"'],
    ['pg_docs', 'pg_ prefix', 'drop the pg_ prefix'],
    ['schema_migrations', 'migration ledger', 'choose another name'],
    ['vector', 'pgvector type', '"vector_embeddings"'],
    ['a'.repeat(41), 'longer than 40', 'shorten'],
  ])('refuses the collection name %s', (name, problem, fix) => {
    const problems = problemsOf([{ ...valid, name }]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].field).toBe('name');
    expect(problems[0].problem).toContain(problem);
    expect(problems[0].fix).toContain(fix);
  });

  it('refuses duplicate names and names that collide with another collection index', () => {
    expect(problemsOf([valid, { ...ivf }])).toEqual([{ field: 'name', problem: expect.stringContaining('duplicate collection name'), fix: expect.any(String) }]);
    expect(problemsOf([valid, { ...ivf, name: 'docs_metadata_gin' }])[0].problem).toContain('collides with an index of collection "docs"');
    expect(problemsOf([valid, { ...ivf, name: 'docs_hnsw_cos_m16_efc64' }])[0].problem).toContain('collides');
  });

  it('reports every problem at once, each with the collection, field, value and fix', () => {
    const bad = [
      { name: 'Docs', dimensions: 0, metric: 'dot', index: { type: 'hnsw', m: 1, efConstruction: 2 } },
      { name: 'ok_one', dimensions: 5000, metric: 'l2', index: { type: 'ivfflat', lists: 0 } },
    ] as unknown as VectorCollection[];
    let error: unknown;
    try {
      validateCollections(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VectorCollectionValidationError);
    const { collectionProblems, message } = error as VectorCollectionValidationError;
    expect(collectionProblems.map((p) => `${p.collection} ${p.field}`)).toEqual([
      'collections[0] ("Docs") name',
      'collections[0] ("Docs") dimensions',
      'collections[0] ("Docs") metric',
      'collections[0] ("Docs") index.m',
      'collections[0] ("Docs") index.efConstruction',
      'collections[1] ("ok_one") dimensions',
      'collections[1] ("ok_one") index.lists',
    ]);
    expect(message.split('\n')).toHaveLength(8);
    expect(message).toContain('Invalid configuration in vector collections (nothing was synthesized):\n');
    expect(message).toContain(
      "\n  - collections[1].index.lists: got 0; outside pgvector's IVFFlat range 1-32768 (integer); use rows / 1000 up to 1M rows, sqrt(rows) above",
    );
  });

  it('copes with input that is not collections at all (parsed JSON)', () => {
    expect(problemsOf({})[0].problem).toBe('not an array');
    expect(problemsOf([null, 'x'])).toHaveLength(2);
    expect(problemsOf([{ name: 'docs' }]).map((p) => p.field)).toEqual(['dimensions', 'metric', 'index']);
  });
});

describe('validateDatabaseName', () => {
  it('accepts RDS-style names and refuses what would not make valid role names', () => {
    expect(validateDatabaseName('vectors')).toBe('vectors');
    expect(() => validateDatabaseName('Vectors')).toThrow(/lower-case/);
    expect(() => validateDatabaseName('a'.repeat(54))).toThrow(/at most 53/);
    expect(() => validateDatabaseName('pg_vectors')).toThrow(/reserved/);
    expect(() => validateDatabaseName('x"; DROP ROLE postgres; --')).toThrow(/Invalid database name/);
    expect(() => validateDatabaseName(undefined)).toThrow(/Invalid database name undefined/);
  });
});

describe('reserved words against a live PostgreSQL 17 (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await newDatabase({ rdsIam: false });
  });
  afterAll(async () => {
    await db.close();
  });

  it('the list is exactly pg_get_keywords() categories R and T', async () => {
    const { rows } = await db.query<{ word: string }>(`SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') ORDER BY word`);
    expect([...POSTGRES_RESERVED_WORDS].sort()).toEqual(rows.map((row) => row.word));
  });

  it('a table named after a pgvector type cannot be created next to the extension (why "vector" is refused)', async () => {
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
    await expect(db.exec('CREATE TABLE public.vector (id int)')).rejects.toThrow(/already exists/);
  });
});
