/**
 * The Athena-to-DuckDB dialect: each rewrite with its input and expected output, the constructs it
 * refuses, and (on the real engine) that each rewrite computes what Trino computes where the two
 * engines' unmapped functions would differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedQueries } from '../../constructs/catalog/queries';
import { eltSteps, renderStatement } from '../../constructs/elt/steps';
import { DialectError, toDuckDb } from '../../lib/local-lake/dialect';
import { LocalLake } from '../../lib/local-lake/engine';

const today = { today: '2026-03-04' };

describe('rewrites', () => {
  it.each([
    ['current_date becomes the pinned day', 'SELECT current_date', "SELECT DATE '2026-03-04'"],
    ['date_format becomes strftime (same %Y %m %d %H)', "SELECT date_format(x, '%Y-%m-%d %H')", "SELECT strftime(x, '%Y-%m-%d %H')"],
    ['date_trunc of a date is cast back to a date', "SELECT date_trunc('month', CAST(dt AS date))", "SELECT CAST(date_trunc('month', CAST(dt AS date)) AS DATE)"],
    ['date_trunc of a timestamp stays as it is', "SELECT date_trunc('hour', CAST(t AS timestamp))", "SELECT date_trunc('hour', CAST(t AS timestamp))"],
    ['date_add becomes interval arithmetic, a date stays a date', "SELECT date_add('day', 1, DATE '2026-01-31')", "SELECT CAST((DATE '2026-01-31' + INTERVAL (1) DAY) AS DATE)"],
    ['date_add on a column', "SELECT date_add('day', 1, max(d))", 'SELECT (max(d) + INTERVAL (1) DAY)'],
    ['date_diff becomes date_sub (complete units)', "SELECT date_diff('day', a, b)", "SELECT date_sub('day', a, b)"],
    ['last_day_of_month becomes last_day', 'SELECT last_day_of_month(d)', 'SELECT last_day(d)'],
    ['from_iso8601_timestamp becomes a cast to TIMESTAMPTZ', 'SELECT from_iso8601_timestamp(s)', 'SELECT CAST(s AS TIMESTAMPTZ)'],
    ['to_unixtime becomes epoch', 'SELECT to_unixtime(max(t))', 'SELECT epoch(max(t))'],
    ['regexp_like becomes regexp_matches', "SELECT regexp_like(e, '^[a-z]+$')", "SELECT regexp_matches(e, '^[a-z]+$')"],
    ['element_at on a map becomes map_extract_value', "SELECT element_at(properties, 'feature')", "SELECT map_extract_value(properties, 'feature')"],
    ['approx_distinct becomes an exact count(DISTINCT)', 'SELECT approx_distinct(user_id)', 'SELECT count(DISTINCT user_id)'],
    ['"database"."table" and struct access pass through', 'SELECT traits.source FROM "raw_db"."events"', 'SELECT traits.source FROM "raw_db"."events"'],
    ['nested calls are rewritten inside out', "SELECT to_unixtime(max(try(from_iso8601_timestamp(s))))", 'SELECT epoch(max(try(CAST(s AS TIMESTAMPTZ))))'],
    ['text inside literals is never rewritten', "SELECT 'date_format(current_date)'", "SELECT 'date_format(current_date)'"],
    ['INSERT column lists are not calls', 'INSERT INTO a.t (x, y) SELECT 1, 2', 'INSERT INTO a.t (x, y) SELECT 1, 2'],
    ['trim also removes the ASCII whitespace Trino trims, not only spaces', 'SELECT trim(e)', "SELECT trim(e, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))"],
    ['the hex md5 of a string becomes upper(md5(…))', "SELECT lower(to_hex(md5(to_utf8(a || '|' || b))))", "SELECT lower(upper(md5(a || '|' || b)))"],
    ['json_format of a cast to JSON becomes to_json', 'SELECT json_format(CAST(array_sort(map_entries(p)) AS JSON))', 'SELECT CAST(to_json(list_sort(map_entries(p))) AS VARCHAR)'],
    ['row_number, length and cardinality pass through', 'SELECT row_number() OVER (PARTITION BY a ORDER BY length(b) DESC, cardinality(p))', 'SELECT row_number() OVER (PARTITION BY a ORDER BY length(b) DESC, cardinality(p))'],
    ['an unqualified INSERT column list is not a call either', 'INSERT INTO t (x) SELECT count(*) FILTER (WHERE y) FROM s', 'INSERT INTO t (x) SELECT count(*) FILTER (WHERE y) FROM s'],
  ])('%s', (_name, athena, duckdb) => {
    expect(toDuckDb(athena, today)).toBe(duckdb);
  });
});

describe('refusals: nothing DuckDB could read differently passes through', () => {
  it.each([
    ['an unmapped function', 'SELECT concat(a, b)', /concat\(\) has no documented DuckDB mapping/],
    ['a schema-qualified unmapped function', 'SELECT x.concat(a, b) FROM x', /concat\(\) has no documented DuckDB mapping/],
    ['UNNEST', 'SELECT x FROM t CROSS JOIN UNNEST(a) AS u(x)', /UNNEST/],
    ['AT TIME ZONE', "SELECT t AT TIME ZONE 'Europe/Paris'", /AT TIME ZONE/],
    ['MERGE', 'MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE', /MERGE/],
    ['a date_format specifier strftime reads differently', "SELECT date_format(t, '%i')", /%i/],
    ['a Java-only regular expression', "SELECT regexp_like(e, '(?=a)b')", /lookaround/],
    ['a regular expression that is not a literal', 'SELECT regexp_like(e, p)', /string literal/],
    ['date_trunc of an expression of unknown type', "SELECT date_trunc('month', d)", /CAST\(… AS date\)/],
    ['a unit that is not a literal', 'SELECT date_diff(u, a, b)', /unit/],
    ['current_date without a pinned day', 'SELECT current_date', /pinned day/],
    ['an unrendered placeholder', "SELECT * FROM t WHERE dt = '{{day}}'", /placeholder/],
    ['two statements', 'SELECT 1; SELECT 2', /one statement/],
    ['to_hex of anything but md5(to_utf8(…))', 'SELECT to_hex(sha256(to_utf8(a)))', /to_hex\(md5\(to_utf8/],
    ['md5 on its own (Trino hashes varbinary, DuckDB returns hex text)', 'SELECT md5(to_utf8(a))', /md5\(\) has no documented DuckDB mapping/],
    ['json_format of something that is not a cast to JSON', "SELECT json_format(json_parse('{}'))", /json_format\(CAST\(<value> AS JSON\)\)/],
    ['array_sort with a comparator', 'SELECT array_sort(a, (x, y) -> 0)', /array_sort\(\) takes 1 arguments/],
    ['an unterminated literal', "SELECT 'abc", /unterminated/],
  ])('%s', (_name, athena, message) => {
    const options = /current_date/.test(athena) ? {} : today;
    expect(() => toDuckDb(athena, options)).toThrow(DialectError);
    expect(() => toDuckDb(athena, options)).toThrow(message);
  });

  it('refuses a today that is not yyyy-mm-dd', () => {
    expect(() => toDuckDb('SELECT 1', { today: '4 March' })).toThrow(/yyyy-mm-dd/);
  });
});

describe('every shipped statement translates', () => {
  it('all named queries and ELT statements map without a refusal', () => {
    const translated = [
      ...namedQueries('lakehouse_local_raw').map((query) => toDuckDb(query.sql, today)),
      ...eltSteps().flatMap((step) =>
        step.statements.map((statement) => toDuckDb(renderStatement(statement, { day: '2026-02-10', rawDatabase: 'r', curatedDatabase: 'c', analyticsDatabase: 'a' }), today)),
      ),
    ];
    expect(translated).toHaveLength(6 + 12);
    expect(translated.join('\n')).not.toMatch(/date_format|element_at|last_day_of_month|date_diff|current_date/i);
  });
});

describe('on the engine, the rewrites compute what Trino computes', () => {
  let lake: LocalLake;
  beforeAll(async () => {
    lake = await LocalLake.open({ root: '/nonexistent', databases: {}, today: '2026-03-04' });
  });
  afterAll(() => lake.close());

  it('date_diff counts complete days (Trino), not day boundaries (DuckDB date_diff)', async () => {
    const [row] = await lake.query("SELECT date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00') AS d, date_diff('day', DATE '2026-01-01', DATE '2026-01-31') AS e");
    expect(row).toEqual({ d: 0, e: 30 });
  });

  it('integer division truncates, as in Trino', async () => {
    expect(await lake.query('SELECT 7 / 2 AS q, CAST(7 AS double) / 2 AS r')).toEqual([{ q: 3, r: 3.5 }]);
  });

  it('date_trunc of a date and last_day_of_month are dates', async () => {
    expect(await lake.query("SELECT date_trunc('month', DATE '2026-02-17') AS m, last_day_of_month(DATE '2026-02-17') AS l")).toEqual([{ m: '2026-02-01', l: '2026-02-28' }]);
  });

  it('element_at of a missing map key is NULL', async () => {
    // Trino's map(ARRAY[…], ARRAY[…]) constructor is not mapped, so the map is built in DuckDB.
    await lake.native("CREATE OR REPLACE TEMP TABLE maps AS SELECT MAP {'a': '1'} AS m");
    expect(await lake.query("SELECT element_at(m, 'b') AS v, element_at(m, 'a') AS w FROM maps")).toEqual([{ v: null, w: '1' }]);
  });

  it('to_unixtime reads a timestamp as UTC and from_iso8601_timestamp honours offsets', async () => {
    const [row] = await lake.query("SELECT to_unixtime(TIMESTAMP '2026-01-01 00:00:01.500') AS a, to_unixtime(from_iso8601_timestamp('2026-01-01T02:00:00+02:00')) AS b");
    expect(row).toEqual({ a: 1_767_225_601.5, b: 1_767_225_600 });
  });

  it('regexp_like matches anywhere unless anchored', async () => {
    expect(await lake.query("SELECT regexp_like('Page_view', '[a-z]') AS anywhere, regexp_like('Page_view', '^[a-z][a-z0-9_]*$') AS anchored")).toEqual([{ anywhere: true, anchored: false }]);
  });

  it('trim removes tabs and line breaks as well as spaces, as Trino does; inner whitespace stays', async () => {
    expect(await lake.query("SELECT trim(' \t a b \n') AS t")).toEqual([{ t: 'a b' }]);
  });

  it("to_hex(md5(to_utf8(s))) is the hex MD5 of the string's UTF-8 bytes, uppercase as Trino's to_hex", async () => {
    expect(await lake.query("SELECT to_hex(md5(to_utf8('abc'))) AS h, to_hex(md5(to_utf8('é'))) AS u")).toEqual([{ h: '900150983CD24FB0D6963F7D28E17F72', u: '66DDCD97CFDEABB2F6FB8A999B4BC76F' }]);
  });

  it('json_format of sorted map entries does not depend on the order the map was built in', async () => {
    await lake.native("CREATE OR REPLACE TEMP TABLE props AS SELECT MAP {'b': '1', 'a': '2'} AS x, MAP {'a': '2', 'b': '1'} AS y");
    const [row] = await lake.query('SELECT json_format(CAST(array_sort(map_entries(x)) AS JSON)) AS x, json_format(CAST(array_sort(map_entries(y)) AS JSON)) AS y FROM props');
    expect(row.x).toBe(row.y);
    expect(row.x).toMatch(/"a".*"b"/);
  });

  it('current_date is the pinned day and a date_format of date arithmetic is a day', async () => {
    expect(await lake.query("SELECT date_format(current_date - interval '30' day, '%Y-%m-%d') AS d")).toEqual([{ d: '2026-02-02' }]);
  });
});
