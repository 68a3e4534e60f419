/**
 * The local lake's engine: an embedded DuckDB whose schemas stand for the Glue databases, whose views
 * read the Parquet datasets from their Firehose prefixes (partition keys from the Hive-style paths, typed
 * as the Glue partition keys), and whose plain tables stand for the Iceberg tables. Every statement goes
 * through the Athena-to-DuckDB dialect (dialect.ts) first, so callers pass the product's SQL unchanged.
 */
import * as path from 'path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { dataPrefix, glueColumns, gluePartitionKeys, type DatasetDefinition } from '../../constructs/datasets';
import { toDuckDb } from './dialect';
import { duckDbType } from './types';

export type Cell = string | number | boolean | null | Cell[] | { readonly [key: string]: Cell };
export type Row = Readonly<Record<string, Cell>>;

export interface LocalLakeOptions {
  /** Folder holding one sub-folder per zone (the zone's bucket). */
  readonly root: string;
  /** Glue database of each zone: the DuckDB schema that stands for it. */
  readonly databases: Readonly<Record<string, string>>;
  /** `current_date` of every statement, yyyy-mm-dd (the dialect pins it). */
  readonly today: string;
}

const DATABASE = /^[a-z_][a-z0-9_]{0,254}$/;

export class LocalLake {
  /** An in-memory engine over the files under `options.root`. */
  static async open(options: LocalLakeOptions): Promise<LocalLake> {
    for (const [zone, database] of Object.entries(options.databases)) {
      if (!DATABASE.test(database)) throw new Error(`local lake: database "${database}" of zone ${zone} is not a snake_case Glue database name`);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Athena's session zone is UTC, and Trino's `/` on two integers truncates: make DuckDB do the same.
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('SET integer_division = true');
    for (const database of new Set(Object.values(options.databases))) await connection.run(`CREATE SCHEMA "${database}"`);
    return new LocalLake(instance, connection, options);
  }

  /**
   * `database.table` of every dataset whose `"$path"` the local lake can answer: the dialect reads such a
   * table from its companion view in the schema `<database>$path`, which adds the column (see pathView).
   */
  private readonly pathTables = new Set<string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    /** The DuckDB connection, for writers and tests that need engine-native SQL. */
    readonly connection: DuckDBConnection,
    readonly options: LocalLakeOptions,
  ) {}

  /** The Glue database (DuckDB schema) of a dataset's zone. */
  database(dataset: DatasetDefinition): string {
    const database = this.options.databases[dataset.zone];
    if (database === undefined) throw new Error(`local lake: no database for zone "${dataset.zone}" (dataset ${dataset.name})`);
    return database;
  }

  /** The folder that stands for the dataset's table location, `s3://<zone bucket>/<name>/`. */
  location(dataset: DatasetDefinition): string {
    return path.join(this.options.root, dataset.zone, dataPrefix(dataset));
  }

  /**
   * A view `<database>.<name>` over the dataset's Parquet objects, as the Glue table with partition
   * projection sees them: stored columns from the files, partition keys from the path (`dt=…/hour=…/`).
   * With `unionByName`, objects written before a column existed read it as null, as Athena does.
   */
  async attachParquet(dataset: DatasetDefinition, options: { readonly unionByName?: boolean } = {}): Promise<void> {
    if (dataset.format !== 'parquet') throw new Error(`local lake: ${dataset.name} is ${dataset.format}; use createTable`);
    const keys = gluePartitionKeys(dataset);
    const glob = path.join(this.location(dataset), ...keys.map((key) => `${key.name}=*`), '*');
    const hiveTypes = keys.map((key) => `'${key.name}': ${duckDbType(key.type)}`).join(', ');
    const columns = [...glueColumns(dataset), ...keys].map((column) => `"${column.name}"`).join(', ');
    // union_by_name only when asked: files written before a column was added lack it, and Athena reads
    // it as null by name; unioning opens every file's footer on each query (three times slower ELT), so
    // lakes whose objects all have the contract's columns go without it.
    const union = options.unionByName === true ? ', union_by_name = true' : '';
    const files = `read_parquet('${glob.replace(/'/g, "''")}', hive_partitioning = true, hive_types = {${hiveTypes}}${union})`;
    await this.connection.run(`CREATE OR REPLACE VIEW "${this.database(dataset)}"."${dataset.name}" AS SELECT ${columns} FROM ${files}`);
    // Athena's "$path" is the object's S3 URI; DuckDB's `filename` is the local file: the zone's folder
    // stands for its bucket, so `<root>/<zone>/<key>` reads as `s3://<zone>/<key>`.
    const bucketFolder = `${path.join(this.options.root, dataset.zone)}/`;
    await this.pathView(dataset, `SELECT ${columns}, 's3://${sqlText(dataset.zone)}/' || substr(filename, ${bucketFolder.length + 1}) AS "$path" FROM ${files}`);
  }

  /**
   * The companion view `"<database>$path"."<name>"`: the table's columns plus `"$path"`. A separate view,
   * not a column of the table's own view, because Athena's "$path" is hidden: `SELECT *` must not show it.
   */
  private async pathView(dataset: DatasetDefinition, select: string): Promise<void> {
    const database = this.database(dataset);
    await this.connection.run(`CREATE SCHEMA IF NOT EXISTS "${database}$path"`);
    await this.connection.run(`CREATE OR REPLACE VIEW "${database}$path"."${dataset.name}" AS ${select}`);
    this.pathTables.add(`${database}.${dataset.name}`);
  }

  /** An empty plain table `<database>.<name>` with the dataset's columns: the local stand-in for an Iceberg table. */
  async createTable(dataset: DatasetDefinition): Promise<void> {
    const columns = glueColumns(dataset).map((column) => `"${column.name}" ${duckDbType(column.type)}`).join(', ');
    await this.connection.run(`CREATE OR REPLACE TABLE "${this.database(dataset)}"."${dataset.name}" (${columns})`);
    // A table has no files: "$path" names one stand-in data file per partition, laid out as Iceberg lays
    // out data files (`<location>data/<field>=<value>/`), so finds group by partition as they would on S3.
    const source = dataset.partitioning.time.source;
    if (source.kind === 'event-time') {
      const { granularity } = dataset.partitioning.time;
      const format = { hour: '%Y-%m-%d-%H', day: '%Y-%m-%d', month: '%Y-%m' }[granularity];
      const folder = `s3://${sqlText(dataset.zone)}/${sqlText(dataPrefix(dataset))}data/${source.column}_${granularity}=`;
      const file = `'${folder}' || coalesce(strftime("${source.column}", '${format}'), 'null') || '/00000-local.parquet'`;
      await this.pathView(dataset, `SELECT *, ${file} AS "$path" FROM "${this.database(dataset)}"."${dataset.name}"`);
    }
  }

  /** Runs one Athena statement (translated) and returns its rows. */
  async query(athenaSql: string): Promise<Row[]> {
    return this.native(toDuckDb(athenaSql, { today: this.options.today, pathTables: this.pathTables }));
  }

  /** Runs engine-native DuckDB SQL and returns its rows (for fixtures and assertions, not product SQL). */
  async native(duckDbSql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(duckDbSql);
    return rows(reader);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Text for inside a DuckDB string literal. */
function sqlText(value: string): string {
  return value.replace(/'/g, "''");
}

/** Rows as plain JSON-like values: BIGINT as number, DATE as yyyy-mm-dd, TIMESTAMP as ISO-8601 with Z. */
function rows(reader: DuckDBResultReader): Row[] {
  const types = reader.columnTypes().map((type) => type.typeId);
  const names = reader.columnNames();
  return reader.getRowObjectsJS().map((row) =>
    Object.fromEntries(names.map((name, index) => [name, cell(row[name], types[index])])),
  );
}

function cell(value: unknown, typeId: DuckDBTypeId | undefined): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`integer ${value} is beyond a safe JavaScript number`);
    return Number(value);
  }
  if (value instanceof Date) return typeId === DuckDBTypeId.DATE ? value.toISOString().slice(0, 10) : value.toISOString();
  if (Array.isArray(value)) return value.map((item) => cell(item, undefined));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cell(item, undefined)]));
  return value as Cell;
}
