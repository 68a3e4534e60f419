/** The dialect rewrites the lineage SQL needs: Trino type spellings in CAST, MAP(), contains() on arrays. */
import { describe, expect, it } from 'vitest';
import { DialectError, toDuckDb } from '../../lib/local-lake/dialect';

describe('lineage rewrites', () => {
  it.each([
    ['ARRAY(ROW(…)) becomes a list of STRUCT', "SELECT CAST(ARRAY[ROW('a', 'b')] AS ARRAY(ROW(namespace varchar, name varchar)))", "SELECT CAST(ARRAY[ROW('a', 'b')] AS STRUCT(namespace varchar, name varchar)[])"],
    ['MAP(K, V) keeps its spelling, MAP() passes through', 'SELECT CAST(MAP() AS MAP(varchar, varchar))', 'SELECT CAST(MAP() AS MAP(varchar, varchar))'],
    ['MAP(ARRAY, ARRAY) passes through', "SELECT MAP(ARRAY['k'], ARRAY['v'])", "SELECT MAP(ARRAY['k'], ARRAY['v'])"],
    ['nested types', 'SELECT CAST(x AS MAP(varchar, ARRAY(ROW(a bigint))))', 'SELECT CAST(x AS MAP(varchar, STRUCT(a bigint)[]))'],
    ['scalar casts are unchanged', 'SELECT CAST(NULL AS bigint), CAST(x AS decimal(10,2))', 'SELECT CAST(NULL AS bigint), CAST(x AS decimal(10,2))'],
    ['the cast expression is rewritten', "SELECT CAST(from_iso8601_timestamp('2026-01-01T00:00:00Z') AS timestamp)", "SELECT CAST(CAST('2026-01-01T00:00:00Z' AS TIMESTAMPTZ) AS timestamp)"],
    ['contains on an array becomes list_contains', "SELECT contains(outputs, ROW('a', 'b'))", "SELECT list_contains(outputs, ROW('a', 'b'))"],
    ['a quoted INSERT target keeps its column list', 'INSERT INTO "d"."t" ("a") VALUES (CAST(NULL AS bigint))', 'INSERT INTO "d"."t" ("a") VALUES (CAST(NULL AS bigint))'],
  ])('%s', (_name, athena, duckdb) => {
    expect(toDuckDb(athena)).toBe(duckdb);
  });

  it.each([
    ['a CAST without AS', 'SELECT CAST(x)', /without AS/],
    ['an ARRAY type with two element types', 'SELECT CAST(x AS ARRAY(varchar, varchar))', /one element type/],
    ['a ROW field without a type', 'SELECT CAST(x AS ROW(a))', /name type/],
  ])('refuses %s', (_name, athena, message) => {
    expect(() => toDuckDb(athena)).toThrow(DialectError);
    expect(() => toDuckDb(athena)).toThrow(message);
  });
});
