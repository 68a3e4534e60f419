/**
 * Athena's hidden "$path" column in the local lake: the object a Parquet row is stored in (as an S3 URI,
 * the zone folder standing for its bucket), one stand-in data file per partition for an Iceberg-shaped
 * table, and hidden from SELECT * as in Athena.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { LocalLake } from '../../lib/local-lake/engine';
import { DialectError, toDuckDb } from '../../lib/local-lake/dialect';
import { writeParquetRecords } from '../../lib/local-lake/writer';

const DATABASES = { raw: 'lake_raw', curated: 'lake_curated' };
const record = (user: string, time: string) => ({
  event: 'page_view',
  user_id: user,
  event_time: time,
  context: { page_url: null, referrer: null },
  traits: { plan: null, source: null },
  properties: {},
  event_id: `${user}-${time}`,
});
let lake: LocalLake;
let keys: string[];

beforeAll(async () => {
  lake = await LocalLake.open({ root: fs.mkdtempSync(path.join(os.tmpdir(), 'path-column-')), databases: DATABASES, today: '2026-03-01' });
  keys = await writeParquetRecords(lake, events, [record('a', '2026-02-01T05:00:00.000Z'), record('b', '2026-02-01T05:30:00.000Z'), record('a', '2026-02-02T07:00:00.000Z')]);
  await lake.attachParquet(events);
  await lake.createTable(eventsCurated);
  await lake.native(
    `INSERT INTO lake_curated.events_curated (user_id, event_date, event_id) VALUES ('a', DATE '2026-02-01', 'x'), ('a', DATE '2026-02-02', 'y'), ('b', DATE '2026-02-02', 'z')`,
  );
});
afterAll(() => {
  lake.close();
  fs.rmSync(lake.options.root, { recursive: true, force: true });
});

describe('"$path" in the local lake', () => {
  it('is the S3 URI of the Parquet object each row is stored in', async () => {
    const rows = await lake.query('SELECT "$path", user_id FROM "lake_raw"."events" ORDER BY 1, 2');
    expect(keys).toHaveLength(2);
    expect(rows).toEqual([
      { $path: `s3://raw/${keys[0]}`, user_id: 'a' },
      { $path: `s3://raw/${keys[0]}`, user_id: 'b' },
      { $path: `s3://raw/${keys[1]}`, user_id: 'a' },
    ]);
    expect(keys[0]).toMatch(/^events\/dt=2026-02-01\/hour=05\/part-00000\.parquet$/);
  });

  it('names one stand-in data file per partition of an Iceberg-shaped table', async () => {
    const rows = await lake.query('SELECT "$path", count(*) AS "rows" FROM "lake_curated"."events_curated" GROUP BY 1 ORDER BY 1');
    expect(rows).toEqual([
      { $path: 's3://curated/events_curated/data/event_date_day=2026-02-01/00000-local.parquet', rows: 1 },
      { $path: 's3://curated/events_curated/data/event_date_day=2026-02-02/00000-local.parquet', rows: 2 },
    ]);
  });

  it('stays hidden from SELECT *, as in Athena', async () => {
    const [row] = await lake.query('SELECT * FROM "lake_raw"."events" LIMIT 1');
    expect(Object.keys(row)).not.toContain('$path');
    expect(Object.keys(row)).toContain('user_id');
  });

  it('is refused for a table the local lake did not attach', () => {
    expect(() => toDuckDb('SELECT "$path" FROM "other"."t"', { pathTables: new Set(['lake_raw.events']) })).toThrow(DialectError);
    expect(() => toDuckDb('SELECT "$path" FROM "other"."t"', { pathTables: new Set(['lake_raw.events']) })).toThrow(/attached/);
  });

  it('reads the companion view only in statements that name "$path"', () => {
    const tables = new Set(['lake_raw.events']);
    expect(toDuckDb('SELECT user_id FROM "lake_raw"."events"', { pathTables: tables })).toBe('SELECT user_id FROM "lake_raw"."events"');
    expect(toDuckDb('SELECT "$path" FROM lake_raw.events e', { pathTables: tables })).toBe('SELECT "$path" FROM "lake_raw$path".events e');
  });
});
