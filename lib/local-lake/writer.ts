/**
 * Writes dataset records into the local lake as Firehose would: Parquet objects with the Glue schema's
 * types, under the dataset's Firehose `dataOutputPrefix` (constructs/datasets/firehose.ts) rendered with
 * each record's partition values. The prefix is never written here: it comes from the contract, so the
 * local lake breaks when the contract's layout and the Glue projection stop agreeing.
 *
 * Not modelled: Firehose's accepted event-time window (late or future records go to the error prefix at
 * ingest time); fixture records are historical by design and all land in their partitions.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { firehoseDataPrefix, glueColumns, partitionKeys, valueKeys, enumOtherValue, type DatasetDefinition } from '../../constructs/datasets';
import type { LocalLake } from './engine';
import { duckDbType } from './types';

export type DatasetRecord = Readonly<Record<string, unknown>>;

/** The record's partition values by key name, as Firehose's JQ query extracts them. */
export function partitionValues(dataset: DatasetDefinition, record: DatasetRecord): Record<string, string> {
  const time = dataset.partitioning.time;
  if (time.source.kind !== 'event-time') throw new Error(`local lake: ${dataset.name} is partitioned by arrival time, which a fixture has no value for`);
  const raw = record[time.source.column];
  const instant = typeof raw === 'string' && raw.endsWith('Z') ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(instant.getTime())) throw new Error(`local lake: ${dataset.name}.${time.source.column} "${String(raw)}" is not an ISO-8601 UTC time ending in Z`);
  const iso = instant.toISOString();
  const values: Record<string, string> = {};
  for (const key of valueKeys(dataset)) {
    if (key.kind !== 'enum') throw new Error(`local lake: injected partition key ${key.name} is not supported`);
    const value = record[key.sourceField];
    values[key.name] = typeof value === 'string' && key.values.includes(value) ? value : enumOtherValue(key);
  }
  for (const key of partitionKeys(dataset)) {
    if (values[key.name] !== undefined) continue;
    if (key.projection.type === 'integer') values[key.name] = iso.slice(11, 13); // the hour, two digits
    else if (key.projection.format === 'yyyy-MM-dd') values[key.name] = iso.slice(0, 10);
    else if (key.projection.format === 'yyyy-MM') values[key.name] = iso.slice(0, 7);
    else throw new Error(`local lake: partition key ${key.name} has a projection the local lake does not render`);
  }
  return values;
}

/** The object prefix Firehose writes the record under: the contract's dataOutputPrefix, rendered. */
export function objectPrefix(dataset: DatasetDefinition, record: DatasetRecord): string {
  const values = partitionValues(dataset, record);
  return firehoseDataPrefix(dataset).replace(/!\{([^}]*)\}/g, (whole, expression: string) => {
    const match = /^partitionKeyFromQuery:([a-z_][a-z0-9_]*)$/.exec(expression);
    if (!match || values[match[1]] === undefined) throw new Error(`local lake: cannot render ${whole} of ${dataset.name}'s Firehose prefix`);
    return values[match[1]];
  });
}

/**
 * Writes the records as Parquet objects, one per partition and call, named like Firehose's objects
 * (`part-<n>.parquet`, a new n each call so earlier deliveries stay). Returns the object keys written,
 * relative to the zone's bucket.
 */
export async function writeParquetRecords(lake: LocalLake, dataset: DatasetDefinition, records: readonly DatasetRecord[]): Promise<string[]> {
  const columns = glueColumns(dataset);
  const byPrefix = new Map<string, DatasetRecord[]>();
  for (const record of records) {
    const prefix = objectPrefix(dataset, record);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), record]);
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'local-lake-'));
  const file = path.join(staging, 'records.ndjson');
  try {
    fs.writeFileSync(file, records.map((record) => JSON.stringify({ ...record, __prefix: objectPrefix(dataset, record) })).join('\n'));
    const types = [...columns.map((column) => `"${column.name}": '${duckDbType(column.type)}'`), `"__prefix": 'VARCHAR'`].join(', ');
    await lake.connection.run(`CREATE OR REPLACE TEMP TABLE staging AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${types}})`);
    const keys: string[] = [];
    const bucket = path.join(lake.options.root, dataset.zone);
    for (const prefix of [...byPrefix.keys()].sort()) {
      const folder = path.join(bucket, prefix);
      fs.mkdirSync(folder, { recursive: true });
      const key = `${prefix}part-${String(fs.readdirSync(folder).length).padStart(5, '0')}.parquet`;
      const select = `SELECT ${columns.map((column) => `"${column.name}"`).join(', ')} FROM staging WHERE __prefix = '${prefix.replace(/'/g, "''")}'`;
      await lake.connection.run(`COPY (${select}) TO '${path.join(bucket, key)}' (FORMAT parquet)`);
      keys.push(key);
    }
    await lake.connection.run('DROP TABLE staging');
    return keys;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
