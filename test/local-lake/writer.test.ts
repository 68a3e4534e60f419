/**
 * The local lake is laid out exactly as Firehose writes the events dataset: partition values agree with
 * the real jq 1.6 running the contract's extraction query, object prefixes with the location Athena's
 * projection computes, and the Parquet files and table columns have the Glue schema's types.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events as eventsDataset } from '../../config/datasets/events';
import { firehoseDataPrefix, glueColumns, gluePartitionKeys, jqExtractionQuery, partitionKeys, projectionParameters } from '../../constructs/datasets';
import { addDays } from '../../lib/local-lake/days';
import { buildPlayground, LOCAL_DATABASES, type Playground } from '../../lib/local-lake/playground';
import { duckDbType } from '../../lib/local-lake/types';
import { objectPrefix, partitionValues } from '../../lib/local-lake/writer';
import { projectedTable } from '../support/athena-projection';
import { renderFirehosePrefix, runJq } from '../support/firehose-model';

const BUCKET = 'raw-bucket';
let playground: Playground;

beforeAll(async () => {
  // Recent days, so that the contract's accepted event-time window (relative to now) admits them.
  const now = new Date();
  playground = await buildPlayground(fs.mkdtempSync(path.join(os.tmpdir(), 'writer-')), { firstDay: addDays(now.toISOString().slice(0, 10), -4), days: 4 });
});
afterAll(() => {
  playground.lake.close();
  fs.rmSync(playground.lake.options.root, { recursive: true, force: true });
});

describe('Firehose layout', () => {
  it("partition values and prefixes equal what Firehose's jq query and prefix produce", () => {
    const now = Date.now();
    const records = playground.fixture.events.filter((event) => Date.parse(event.event_time) > now - 6 * 86_400_000);
    expect(records.length).toBeGreaterThan(20);
    const extractions = runJq(jqExtractionQuery(eventsDataset) as string, records);
    records.forEach((record, index) => {
      const extraction = extractions[index];
      if ('error' in extraction) throw new Error(`jq refused ${record.event_time}: ${extraction.error}`);
      expect(partitionValues(eventsDataset, record)).toEqual(extraction.keys);
      expect(objectPrefix(eventsDataset, record)).toBe(renderFirehosePrefix(firehoseDataPrefix(eventsDataset), extraction.keys, new Date(now)));
    });
  });

  it('every object sits where the Glue projection says its partition is', () => {
    const athena = projectedTable(projectionParameters(eventsDataset, BUCKET), partitionKeys(eventsDataset).map((key) => key.name), new Date());
    expect(playground.objects.length).toBeGreaterThan(4);
    for (const key of playground.objects) {
      const values = Object.fromEntries([...key.matchAll(/([a-z_]+)=([^/]+)\//g)].map((match) => [match[1], match[2]]));
      expect(athena.reject(values), key).toBeUndefined();
      expect(`s3://${BUCKET}/${key}`.startsWith(athena.location(values)), key).toBe(true);
      expect(fs.existsSync(path.join(playground.lake.options.root, eventsDataset.zone, key))).toBe(true);
    }
  });
});

describe('Glue schema', () => {
  it('each Parquet object has exactly the stored columns, with the Glue types', async () => {
    const file = path.join(playground.lake.options.root, eventsDataset.zone, playground.objects[0]);
    const described = await playground.lake.native(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
    // DuckDB quotes only the struct fields that are keywords (source) when it prints a type.
    const unquoted = (type: string) => type.replace(/"/g, '');
    expect(described.map((row) => [row.column_name, unquoted(row.column_type as string)])).toEqual(
      glueColumns(eventsDataset).map((column) => [column.name, unquoted(duckDbType(column.type))]),
    );
  });

  it('the table adds the partition keys from the path, typed as the Glue partition keys (dt string, hour int)', async () => {
    const described = await playground.lake.native(`DESCRIBE "${LOCAL_DATABASES.raw}"."events"`);
    const keys = gluePartitionKeys(eventsDataset).map((key) => key.name);
    expect(described.filter((row) => keys.includes(row.column_name as string)).map((row) => [row.column_name, row.column_type])).toEqual([
      ['dt', 'VARCHAR'],
      ['hour', 'INTEGER'],
    ]);
    const [counts] = await playground.lake.native(`SELECT count(*) AS n, count(DISTINCT dt) AS days FROM "${LOCAL_DATABASES.raw}"."events"`);
    expect(counts).toEqual({ n: playground.fixture.events.length, days: new Set(playground.fixture.events.map((event) => event.event_time.slice(0, 10))).size });
  });

  it('maps Glue types to DuckDB types', () => {
    expect(duckDbType('struct<plan:string,seats:int>')).toBe('STRUCT("plan" VARCHAR, "seats" INTEGER)');
    expect(duckDbType('map<string,array<bigint>>')).toBe('MAP(VARCHAR, BIGINT[])');
    expect(duckDbType('decimal(10,2)')).toBe('DECIMAL(10,2)');
    expect(duckDbType('varchar(255)')).toBe('VARCHAR');
    expect(duckDbType('timestamp')).toBe('TIMESTAMP');
  });

  it('refuses a record whose event time is not an ISO-8601 UTC string', () => {
    expect(() => partitionValues(eventsDataset, { event_time: '2026-01-01 10:00:00' })).toThrow(/ISO-8601 UTC/);
  });
});
