import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportedCodecs } from '../../constructs/privacy/parquet-codecs';
import { REWRITE_CREATED_BY, rewriteWithoutSubjects, UnsupportedParquetError, type RewriteResult } from '../../constructs/privacy/parquet-rewrite';
import { seededRandom } from '../../producer/sample-events';
import { eventsSelect, openDuck, type Duck } from './duckdb-parquet';

const FIXTURES = join(__dirname, 'fixtures', 'parquet-testing');
let duck: Duck;

beforeAll(async () => {
  duck = await openDuck();
});
afterAll(() => duck.connection.closeSync());

async function writeEvents(name: string, options: { rows: number; users: number; codec: string; rowGroupSize: number; seed?: number }): Promise<string> {
  const path = join(duck.folder, name);
  await duck.connection.run(
    `COPY (${eventsSelect(options.rows, options.users, options.seed)}) TO '${path}' (FORMAT parquet, COMPRESSION ${options.codec}, ROW_GROUP_SIZE ${options.rowGroupSize}, KV_METADATA {owner: 'product-analytics', 'firehose.stream': 'lakehouse-dev-events'})`,
  );
  return path;
}

function rewritten(result: RewriteResult): Extract<RewriteResult, { kind: 'rewritten' }> {
  if (result.kind !== 'rewritten') throw new Error(`expected a rewrite, got ${result.kind}`);
  return result;
}

/** The rows DuckDB reads from the source with the subjects' rows filtered out, in file order. */
async function expectedRows(path: string, subjects: readonly string[]): Promise<string[]> {
  const list = subjects.map((id) => `'${id}'`).join(', ');
  const where = subjects.length ? `WHERE user_id IS NULL OR user_id NOT IN (${list})` : '';
  return (await duck.rows(`SELECT to_json(t)::VARCHAR AS row FROM read_parquet('${path}') t ${where}`)).map((row) => String(row.row));
}

describe('rewriteWithoutSubjects on DuckDB-written events files', () => {
  for (const codec of ['snappy', 'gzip', 'uncompressed', 'brotli']) {
    it(`removes exactly the subjects' rows and keeps schema, ${codec} codec, row groups and key-value metadata`, async () => {
      const source = await writeEvents(`events-${codec}.parquet`, { rows: 2500, users: 40, codec, rowGroupSize: 1000 });
      const subjects = ['u3', 'u17'];
      const result = rewritten(rewriteWithoutSubjects(readFileSync(source), ['user_id'], new Set(subjects)));
      const target = join(duck.folder, `events-${codec}.out.parquet`);
      writeFileSync(target, result.bytes);

      const expected = await expectedRows(source, subjects);
      expect(result.rowsBefore).toBe(2500);
      expect(result.rowsRemoved).toBe(2500 - expected.length);
      expect(result.rowsRemoved).toBeGreaterThan(0);
      expect(await duck.fileRows(target)).toEqual(expected);
      expect(await duck.describe(target)).toEqual(await duck.describe(source));
      expect(await duck.codecs(target)).toEqual((await duck.codecs(source)).slice(0, (await duck.codecs(target)).length));
      expect(new Set((await duck.codecs(target)).map((entry) => entry.split('=')[1]))).toEqual(new Set([codec.toUpperCase()]));
      expect(await duck.keyValueMetadata(target)).toEqual(await duck.keyValueMetadata(source));
      const before = await duck.rowGroupSizes(source);
      const after = await duck.rowGroupSizes(target);
      expect(after).toHaveLength(before.length);
      after.forEach((rows, index) => expect(rows).toBeLessThan(before[index]));
      const createdBy = await duck.rows(`SELECT created_by FROM parquet_file_metadata('${target}')`);
      expect(createdBy[0].created_by).toBe(REWRITE_CREATED_BY);
    });
  }

  it(`ZSTD: kept where this Node has zlib.zstd (the Lambda runtime's Node 24 does), refused where it has not (Node ${process.versions.node})`, async () => {
    const source = await writeEvents('events-zstd.parquet', { rows: 500, users: 7, codec: 'zstd', rowGroupSize: 500 });
    const run = () => rewriteWithoutSubjects(readFileSync(source), ['user_id'], new Set(['u1']));
    if (!supportedCodecs().includes('ZSTD')) {
      expect(run).toThrow(/compressed with ZSTD/);
      return;
    }
    const target = join(duck.folder, 'events-zstd.out.parquet');
    writeFileSync(target, rewritten(run()).bytes);
    expect(await duck.fileRows(target)).toEqual(await expectedRows(source, ['u1']));
    expect(new Set((await duck.codecs(target)).map((entry) => entry.split('=')[1]))).toEqual(new Set(['ZSTD']));
  });

  it('keeps the timestamp physical type and unit (INT64 microseconds) and the values to the microsecond', async () => {
    const source = await writeEvents('events-ts.parquet', { rows: 300, users: 5, codec: 'snappy', rowGroupSize: 300 });
    const target = join(duck.folder, 'events-ts.out.parquet');
    writeFileSync(target, rewritten(rewriteWithoutSubjects(readFileSync(source), ['user_id'], new Set(['u1']))).bytes);
    const schema = (path: string) => duck.rows(`SELECT name, type, converted_type, logical_type FROM parquet_schema('${path}') WHERE name = 'event_time'`);
    expect(await schema(target)).toEqual(await schema(source));
    const micros = await duck.rows(`SELECT epoch_us(event_time)::VARCHAR AS us FROM read_parquet('${target}') WHERE event_id = 'id-2'`);
    expect(micros).toEqual([{ us: String(Date.UTC(2026, 2, 1) * 1000 + 2 * 1000003) }]);
  });

  it('drops a row group that loses every row and keeps the others', async () => {
    // DuckDB cuts row groups at multiples of its 2048-row vectors: the first group holds only "gone".
    const path = join(duck.folder, 'groups.parquet');
    await duck.connection.run(
      `COPY (SELECT CASE WHEN i < 2048 THEN 'gone' ELSE 'u' || (i % 3) END AS user_id, i AS n FROM range(6144) t(i)) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    const result = rewritten(rewriteWithoutSubjects(readFileSync(path), ['user_id'], new Set(['gone', 'u1'])));
    const target = join(duck.folder, 'groups.out.parquet');
    writeFileSync(target, result.bytes);
    expect(result.rowGroupsBefore).toBe(3);
    expect(result.rowGroupsAfter).toBe(2);
    const keptIn = (from: number) => Array.from({ length: 2048 }, (_, i) => from + i).filter((i) => i % 3 !== 1).length;
    expect(await duck.rowGroupSizes(target)).toEqual([keptIn(2048), keptIn(4096)]);
  });

  it('says "nothing matched" when no key holds a subject, and "no rows left" when every row does', async () => {
    const path = await writeEvents('small.parquet', { rows: 50, users: 1, codec: 'snappy', rowGroupSize: 50 });
    expect(rewriteWithoutSubjects(readFileSync(path), ['user_id'], new Set(['nobody']))).toEqual({ kind: 'nothing-matched', rowsBefore: 50 });
    // users: 1 means every row with a user is u0; the others have no user and stay.
    const allOfThem = join(duck.folder, 'single.parquet');
    await duck.connection.run(`COPY (SELECT 'u0' AS user_id, i AS n FROM range(20) t(i)) TO '${allOfThem}' (FORMAT parquet)`);
    expect(rewriteWithoutSubjects(readFileSync(allOfThem), ['user_id'], new Set(['u0']))).toEqual({ kind: 'no-rows-left', rowsBefore: 20, rowsRemoved: 20 });
  });

  it('matches any key column, integer keys by their decimal text, and ignores a key column the file predates', async () => {
    const path = join(duck.folder, 'keys.parquet');
    await duck.connection.run(
      `COPY (SELECT 'u' || i AS user_id, CASE WHEN i % 2 = 0 THEN 1000 + i END::BIGINT AS account_id, i AS n FROM range(10) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    const target = join(duck.folder, 'keys.out.parquet');
    const result = rewritten(rewriteWithoutSubjects(readFileSync(path), ['user_id', 'account_id', 'device_id'], new Set(['u1', '1004'])));
    writeFileSync(target, result.bytes);
    expect((await duck.rows(`SELECT n::INTEGER AS n FROM read_parquet('${target}')`)).map((row) => row.n)).toEqual([0, 2, 3, 5, 6, 7, 8, 9]);
  });
});

describe('rewriteWithoutSubjects on files from other writers (apache/parquet-testing)', () => {
  // Each: the key column, the ids removed, how many rows go.
  const cases: Array<[file: string, key: string, subjects: string[], removed: number]> = [
    // Impala, INT96 timestamps, uncompressed and SNAPPY.
    ['alltypes_plain.parquet', 'id', ['4', '5'], 2],
    ['alltypes_plain.snappy.parquet', 'id', ['7'], 1],
    // Impala's nested lists, maps and structs with nulls at every level.
    ['nullable.impala.parquet', 'id', ['3', '7'], 2],
    // Pages of DATA_PAGE_V2.
    ['datapage_v2.snappy.parquet', 'b', ['2'], 1],
  ];
  for (const [file, key, subjects, removed] of cases) {
    it(`${file}: DuckDB reads the same schema and the other rows, values intact`, async () => {
      const source = join(FIXTURES, file);
      const result = rewritten(rewriteWithoutSubjects(readFileSync(source), [key], new Set(subjects)));
      const target = join(duck.folder, `${file}.out.parquet`);
      writeFileSync(target, result.bytes);
      expect(result.rowsRemoved).toBe(removed);
      expect(await duck.describe(target)).toEqual(await duck.describe(source));
      const list = subjects.map((id) => `'${id}'`).join(', ');
      const expected = await duck.rows(`SELECT to_json(t)::VARCHAR AS row FROM read_parquet('${source}') t WHERE "${key}" IS NULL OR "${key}"::VARCHAR NOT IN (${list})`);
      expect(await duck.fileRows(target)).toEqual(expected.map((row) => String(row.row)));
      const physical = (path: string) => duck.rows(`SELECT name, type, converted_type FROM parquet_schema('${path}')`);
      expect(await physical(target)).toEqual(await physical(source));
    });
  }

  it('keeps INT96 timestamps as INT96 with their nanoseconds (Firehose and Hive write INT96)', async () => {
    const source = join(FIXTURES, 'alltypes_plain.parquet');
    const target = join(duck.folder, 'int96.out.parquet');
    writeFileSync(target, rewritten(rewriteWithoutSubjects(readFileSync(source), ['id'], new Set(['0']))).bytes);
    expect(await duck.rows(`SELECT type FROM parquet_schema('${target}') WHERE name = 'timestamp_col'`)).toEqual([{ type: 'INT96' }]);
    const stamps = (path: string) => duck.rows(`SELECT epoch_ns(timestamp_col)::VARCHAR AS ns FROM read_parquet('${path}') WHERE id <> 0`);
    expect(await stamps(target)).toEqual(await stamps(source));
  });
});

describe("Hive's Parquet shapes (Firehose converts with Hive's serializer)", () => {
  it("a list as Hive writes it (group bag, field array_element) and a map's key_value group keep their shape", async () => {
    // hyparquet-writer writes the source here; DuckDB alone judges source and result.
    const source = parquetWriteBuffer({
      schema: [
        { name: 'hive_schema', num_children: 3 },
        { name: 'user_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'bag', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'array_element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'properties', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', converted_type: 'MAP_KEY_VALUE', num_children: 2 },
        { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
      columnData: [
        { name: 'user_id', data: ['u1', 'u2', null, 'u1', 'u3'] },
        { name: 'tags', data: [['a', null], [], null, ['b'], ['c', 'd', 'e']] },
        { name: 'properties', data: [{ k: 'v' }, {}, null, { x: null }, { y: 'z', w: 'q' }] },
      ],
    });
    const path = join(duck.folder, 'hive.parquet');
    writeFileSync(path, new Uint8Array(source));
    const target = join(duck.folder, 'hive.out.parquet');
    writeFileSync(target, rewritten(rewriteWithoutSubjects(new Uint8Array(source), ['user_id'], new Set(['u1']))).bytes);
    expect(await duck.fileRows(target)).toEqual(await expectedRows(path, ['u1']));
    const shape = (file: string) => duck.rows(`SELECT name, repetition_type, converted_type FROM parquet_schema('${file}')`);
    expect(await shape(target)).toEqual(await shape(path));
    expect((await shape(target)).map((row) => row.name)).toEqual(expect.arrayContaining(['bag', 'array_element', 'key_value']));
  });
});

describe('files of many small pages (each chunk read page by page, dictionary pages included)', () => {
  it('a source written with 100-byte pages', async () => {
    const rows = 3000;
    const source = parquetWriteBuffer({
      columnData: [
        { name: 'user_id', data: Array.from({ length: rows }, (_, i) => (i % 11 === 0 ? null : `u${i % 13}`)), type: 'STRING' },
        { name: 'n', data: Array.from({ length: rows }, (_, i) => BigInt(i)), type: 'INT64' },
        { name: 'tags', data: Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? null : Array.from({ length: i % 4 }, (__, j) => `t${j}`))) },
      ],
      pageSize: 100,
      rowGroupSize: 1000,
    });
    const path = join(duck.folder, 'pages.parquet');
    writeFileSync(path, new Uint8Array(source));
    const target = join(duck.folder, 'pages.out.parquet');
    const result = rewritten(rewriteWithoutSubjects(new Uint8Array(source), ['user_id'], new Set(['u4', 'u9'])));
    writeFileSync(target, result.bytes);
    expect(result.rowGroupsAfter).toBe(3);
    expect(await duck.fileRows(target)).toEqual(await expectedRows(path, ['u4', 'u9']));
  });
});

describe('what the rewrite refuses (nothing is written; the handler records "unsupported")', () => {
  const refuse = (file: string, key: string) => () => rewriteWithoutSubjects(readFileSync(join(FIXTURES, file)), [key], new Set(['1']));
  it.each([
    ['hadoop_lz4_compressed.parquet', 'c0', /compressed with LZ4/],
    ['encrypt_columns_and_footer.parquet.encrypted', 'double_field', /modular encryption/],
    ['column_chunk_key_value_metadata.parquet', 'column1', /column-chunk key-value metadata/],
    ['old_list_structure.parquet', 'a', /repeated primitive/],
    ['list_columns.parquet', 'int64_list', /not a scalar column/],
    ['fixed_length_decimal.parquet', 'value', /stored as FIXED_LEN_BYTE_ARRAY/],
  ])('%s', (file, key, reason) => {
    expect(refuse(file, key)).toThrow(UnsupportedParquetError);
    expect(refuse(file, key)).toThrow(reason);
  });

  it('a file that is not Parquet, and a truncated one', () => {
    expect(() => rewriteWithoutSubjects(new TextEncoder().encode('{"user_id":"u1"}\n'), ['user_id'], new Set(['u1']))).toThrow(/not a readable Parquet file/);
    const whole = readFileSync(join(FIXTURES, 'alltypes_plain.snappy.parquet'));
    expect(() => rewriteWithoutSubjects(whole.subarray(0, whole.length - 100), ['id'], new Set(['1']))).toThrow(UnsupportedParquetError);
  });
});

const SEED = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);

describe(`rewrite property: DuckDB reads exactly the source minus the subjects' rows (PROPERTY_SEED=${SEED})`, () => {
  it('over random files and random subject subsets', async () => {
    const random = seededRandom(SEED);
    for (let round = 0; round < 12; round += 1) {
      // DuckDB cuts row groups at multiples of 2048 rows: up to 5000 rows gives one to three groups.
      const rows = 1 + Math.floor(random() * 5000);
      const users = 1 + Math.floor(random() * 12);
      const codec = ['snappy', 'gzip', 'uncompressed', 'brotli'][Math.floor(random() * 4)];
      const rowGroupSize = 2048 * (1 + Math.floor(random() * 2));
      const source = await writeEvents(`property-${round}.parquet`, { rows, users, codec, rowGroupSize, seed: Math.floor(random() * 1000) });
      const subjects = Array.from({ length: users }, (_, user) => `u${user}`).filter(() => random() < 0.3);
      const expected = await expectedRows(source, subjects);
      const result = rewriteWithoutSubjects(readFileSync(source), ['user_id'], new Set(subjects));
      const label = `round ${round}: ${rows} rows, ${users} users, ${codec}, groups of ${rowGroupSize}, subjects ${subjects.join(',') || '(none)'}`;
      if (expected.length === rows) {
        expect(result, label).toEqual({ kind: 'nothing-matched', rowsBefore: rows });
      } else if (expected.length === 0) {
        expect(result, label).toEqual({ kind: 'no-rows-left', rowsBefore: rows, rowsRemoved: rows });
      } else {
        const target = join(duck.folder, `property-${round}.out.parquet`);
        writeFileSync(target, rewritten(result).bytes);
        expect(await duck.fileRows(target), label).toEqual(expected);
        expect(await duck.describe(target), label).toEqual(await duck.describe(source));
      }
    }
  });
});
