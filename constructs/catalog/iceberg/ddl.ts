/**
 * Athena DDL for Iceberg tables, derived from a dataset declaration. Pure functions: no AWS SDK and no
 * CDK, because the same code runs in the custom-resource handler (bundled for Lambda) and at synth.
 *
 * Why DDL and not `AWS::Glue::Table`: Iceberg keeps its metadata pointer in the table's parameters, and
 * a CloudFormation update of the Glue table replaces the whole table input, stripping `table_type` and
 * `metadata_location` (docs/architecture.md, "Iceberg tables belong to Iceberg"). So the table is created with
 * `CREATE TABLE IF NOT EXISTS` and evolved only additively with `ALTER TABLE … ADD COLUMNS`.
 *
 * AWS facts this file relies on (Athena User Guide):
 * - Iceberg tables are created with `CREATE TABLE` (never `CREATE EXTERNAL TABLE`, which fails with
 *   "External keyword not supported for table type ICEBERG"), `'table_type'='ICEBERG'` in TBLPROPERTIES.
 * - "Athena allows only a predefined list of key-value pairs in the table properties for creating or
 *   altering Iceberg tables" and "Athena does not accept custom table properties". The dataset's
 *   contract parameters (owner, domain, freshness SLO, …) therefore cannot be table properties of an
 *   Iceberg table; they are left out of the spec (the data dictionary and LF-tags still carry them).
 * - `write_compression` accepts gzip, snappy, zstd; `format` accepts parquet; the vacuum_* properties
 *   may be set in CREATE TABLE (VACUUM page).
 * - The location must be a folder: VACUUM on an Iceberg table at a bucket root fails with
 *   "GENERIC_INTERNAL_ERROR: Path missing in file system location" (VACUUM page).
 * - Iceberg column types Athena supports in DDL: boolean, int, bigint, float, double, decimal(p,s),
 *   string, binary, date, timestamp, array, map, struct. Not tinyint, smallint, char (nor varchar).
 * - Partition transforms: year/month/day take date or timestamp; hour takes timestamp only.
 * - DDL identifiers are quoted with backticks. `ALTER TABLE ADD COLUMNS` for Iceberg is documented as
 *   `(col_name data_type [,...])` without COMMENT; comments are set with the documented
 *   `ALTER TABLE … CHANGE COLUMN col col type COMMENT '…'`.
 * - Athena DDL is Hive DDL: string literals use C-style escapes (`\'`, `\\`); a doubled quote `''`
 *   would be read as two adjacent literals and silently drop the quote.
 */
import { parseGlueType, renderGlueType, type GlueType } from '../../datasets/glue-type';
import { glueColumns } from '../../datasets/glue-table';
import { icebergVacuumProperties } from '../../datasets/iceberg-upkeep';
import type { DatasetDefinition, TimeGranularity } from '../../datasets/model';

/** One column of an Iceberg table: canonical Glue/Athena type, description and classification as comment. */
export interface IcebergColumn {
  readonly name: string;
  readonly type: string;
  readonly comment: string;
}

/**
 * Everything the custom resource needs to create or evolve one Iceberg table. JSON-serialisable; it is
 * passed to the handler as a JSON string so that CloudFormation does not coerce its values.
 */
export interface IcebergTableSpec {
  readonly database: string;
  readonly table: string;
  /** `s3://bucket/folder/…/`, always with a trailing slash. */
  readonly location: string;
  readonly columns: readonly IcebergColumn[];
  /** Partition fields in order: an Iceberg transform (`month(activity_date)`) or a bare column name. */
  readonly partitioning: readonly string[];
  /** TBLPROPERTIES: only keys Athena accepts for Iceberg tables (see ICEBERG_TABLE_PROPERTIES). */
  readonly properties: Readonly<Record<string, string>>;
}

export interface IcebergTableSpecOptions {
  /** Glue database (`<project>_<env>_<zone>`). */
  readonly database: string;
  /** Table root, `s3://bucket/folder/…` (a trailing slash is added). Never a bucket root. */
  readonly location: string;
}

/** The plan for an update: only additive, in-place changes. Anything else throws in planSchemaChange. */
export interface SchemaChangePlan {
  /** New columns, appended after the existing ones, in declaration order. */
  readonly addColumns: readonly IcebergColumn[];
  /** Existing columns whose comment (description or classification) changed. */
  readonly changeComments: readonly IcebergColumn[];
  /** Table properties added or changed (values Athena accepts; removal is refused). */
  readonly setProperties: Readonly<Record<string, string>>;
}

/** Table properties Athena accepts in CREATE TABLE / ALTER TABLE SET TBLPROPERTIES for Iceberg tables. */
export const ICEBERG_TABLE_PROPERTIES: readonly string[] = [
  'table_type',
  'format',
  'write_compression',
  'write_target_data_file_size_bytes',
  'optimize_rewrite_min_data_file_size_bytes',
  'optimize_rewrite_max_data_file_size_bytes',
  'optimize_rewrite_data_file_threshold',
  'optimize_rewrite_delete_file_threshold',
  'vacuum_min_snapshots_to_keep',
  'vacuum_max_snapshot_age_seconds',
  'vacuum_max_metadata_files_to_keep',
];

/** The properties every table of this blueprint gets. */
export const DEFAULT_ICEBERG_PROPERTIES: Readonly<Record<string, string>> = {
  table_type: 'ICEBERG',
  format: 'parquet',
  write_compression: 'zstd',
};

/** Iceberg transform per time granularity. */
const TRANSFORM: Record<TimeGranularity, 'hour' | 'day' | 'month'> = { hour: 'hour', day: 'day', month: 'month' };
const TRANSFORMS = ['year', 'month', 'day', 'hour'] as const;

/** Lowercase letters, digits and underscores: what Athena supports in names (it lowercases everything else). */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** `transform(column)` or a bare column. */
const PARTITION_FIELD = /^(?:(year|month|day|hour)\(\s*([a-z_][a-z0-9_]*)\s*\)|([a-z_][a-z0-9_]*))$/;
/** A CDK token in a string (`${Token[…]}`): only resolved at deploy, so only checked by the handler. */
const UNRESOLVED = /\$\{Token\[/;

/** Raised for any spec or change that would produce a wrong or unsafe table. */
export class IcebergDdlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IcebergDdlError';
  }
}

/**
 * The table spec of an Iceberg dataset: its columns (canonical types, description and classification as
 * the comment), its partitioning as an Iceberg transform of the event-time column, and Athena's table
 * properties. Throws IcebergDdlError for a dataset that is not Iceberg, a type Athena's Iceberg DDL does
 * not support, a partition column of the wrong type, or a location that is a bucket root.
 */
export function icebergTableSpec(dataset: DatasetDefinition, options: IcebergTableSpecOptions): IcebergTableSpec {
  const table = dataset.name;
  const where = `Iceberg table ${options.database}.${table}`;
  if (dataset.format !== 'iceberg') {
    throw new IcebergDdlError(`${where}: dataset "${table}" has format "${dataset.format}"; only Iceberg datasets are created through Athena DDL`);
  }
  if ((dataset.partitioning.keys ?? []).length > 0) {
    throw new IcebergDdlError(`${where}: enum/injected partition keys are partition projection, which Iceberg tables do not use; partition by a transform of a column`);
  }
  const source = dataset.partitioning.time.source;
  if (source.kind !== 'event-time') {
    throw new IcebergDdlError(`${where}: an Iceberg table partitions by a transform of a column, not by arrival time; use an event-time date or timestamp column`);
  }
  const columns = glueColumns(dataset);
  const spec: IcebergTableSpec = {
    database: options.database,
    table,
    location: normaliseLocation(options.location, where),
    columns,
    partitioning: [`${TRANSFORM[dataset.partitioning.time.granularity]}(${source.column})`],
    // The vacuum_* properties come from the contract's upkeep, so a manual VACUUM expires what the optimizer would.
    properties: { ...DEFAULT_ICEBERG_PROPERTIES, ...icebergVacuumProperties(dataset) },
  };
  validateIcebergTableSpec(spec, { allowUnresolved: true });
  return spec;
}

/**
 * Checks a spec (built here, or received by the handler): names, Iceberg types, partition fields and
 * their column types, location, properties. Throws IcebergDdlError naming the table and what is wrong.
 * `allowUnresolved` accepts a CDK token as the database name (checked again by the handler at deploy); a
 * token as the bucket of the location needs nothing special, the folder part is what is checked.
 */
export function validateIcebergTableSpec(spec: IcebergTableSpec, options: { readonly allowUnresolved?: boolean } = {}): void {
  const where = `Iceberg table ${spec.database}.${spec.table}`;
  if (!(options.allowUnresolved === true && UNRESOLVED.test(spec.database))) checkIdentifier(spec.database, 'database name', where);
  checkIdentifier(spec.table, 'table name', where);
  const normalised = normaliseLocation(spec.location, where);
  if (normalised !== spec.location) throw new IcebergDdlError(`${where}: location "${spec.location}" must end with "/" (use "${normalised}")`);

  if (spec.columns.length === 0) throw new IcebergDdlError(`${where}: has no columns`);
  const types = new Map<string, GlueType>();
  for (const column of spec.columns) {
    checkIdentifier(column.name, 'column name', where);
    if (types.has(column.name)) throw new IcebergDdlError(`${where}: column "${column.name}" is declared twice`);
    let type: GlueType;
    try {
      type = parseGlueType(column.type);
    } catch (error) {
      throw new IcebergDdlError(`${where}: column "${column.name}": ${(error as Error).message}`);
    }
    if (renderGlueType(type) !== column.type) {
      throw new IcebergDdlError(`${where}: column "${column.name}" type "${column.type}" is not canonical (use "${renderGlueType(type)}")`);
    }
    const unsupported = unsupportedIcebergType(type);
    if (unsupported) {
      throw new IcebergDdlError(
        `${where}: column "${column.name}" uses ${unsupported}, which Athena does not support for Iceberg tables; use int, bigint, string, decimal(p,s), date or timestamp instead`,
      );
    }
    if (typeof column.comment !== 'string') throw new IcebergDdlError(`${where}: column "${column.name}" has no comment`);
    types.set(column.name, type);
  }

  const partitionColumns = new Set<string>();
  for (const field of spec.partitioning) {
    const match = PARTITION_FIELD.exec(field);
    if (!match) {
      throw new IcebergDdlError(`${where}: partition field "${field}" is neither a column nor ${TRANSFORMS.map((t) => `${t}(column)`).join(', ')}`);
    }
    const transform = match[1];
    const column = match[2] ?? match[3];
    const type = types.get(column);
    if (!type) throw new IcebergDdlError(`${where}: partition field "${field}" names "${column}", which is not a column`);
    if (partitionColumns.has(field)) throw new IcebergDdlError(`${where}: partition field "${field}" is listed twice`);
    partitionColumns.add(field);
    if (transform) {
      const allowed = transform === 'hour' ? ['timestamp'] : ['date', 'timestamp'];
      if (!(type.kind === 'primitive' && allowed.includes(type.name))) {
        throw new IcebergDdlError(`${where}: partition transform ${transform}(${column}) needs a ${allowed.join(' or ')} column, but "${column}" is ${renderGlueType(type)}`);
      }
    }
  }

  if (spec.properties.table_type !== 'ICEBERG') {
    throw new IcebergDdlError(`${where}: table property table_type must be "ICEBERG", got "${String(spec.properties.table_type)}"`);
  }
  for (const [key, value] of Object.entries(spec.properties)) {
    if (!ICEBERG_TABLE_PROPERTIES.includes(key)) {
      throw new IcebergDdlError(`${where}: table property "${key}" is not one Athena accepts for Iceberg tables (allowed: ${ICEBERG_TABLE_PROPERTIES.join(', ')})`);
    }
    if (typeof value !== 'string') throw new IcebergDdlError(`${where}: table property "${key}" must be a string`);
  }
}

/**
 * `CREATE TABLE IF NOT EXISTS` for Athena engine 3: backtick-quoted identifiers, Hive-escaped string
 * literals, partition transforms, location and TBLPROPERTIES. `IF NOT EXISTS` makes a repeated create
 * (a retried deploy) a no-op that never touches an existing table.
 */
export function createTableDdl(spec: IcebergTableSpec): string {
  validateIcebergTableSpec(spec);
  const columns = spec.columns.map((column) => `  ${quoteIdentifier(column.name)} ${column.type} COMMENT ${quoteString(column.comment)}`);
  const properties = Object.entries(spec.properties).map(([key, value]) => `  ${quoteString(key)}=${quoteString(value)}`);
  const lines = [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(spec)} (`,
    columns.join(',\n'),
    ')',
  ];
  if (spec.partitioning.length > 0) lines.push(`PARTITIONED BY (${spec.partitioning.map(renderPartitionField).join(', ')})`);
  lines.push(`LOCATION ${quoteString(spec.location)}`, 'TBLPROPERTIES (', properties.join(',\n'), ')');
  return lines.join('\n');
}

/**
 * What an update may do to an existing table: append columns, change column comments, set table
 * properties. Throws IcebergDdlError (naming `database.table` and the column) for anything that would
 * need a rewrite or would orphan the table: another database/table/location, a removed, retyped or
 * reordered column, a new column placed before existing ones, changed partitioning, a removed property.
 *
 * Order matters because `ADD COLUMNS` appends and positional SQL (`INSERT INTO t SELECT …`, `SELECT *`)
 * follows the table's order: a spec whose order differs from the table's would write into wrong columns.
 */
export function planSchemaChange(oldSpec: IcebergTableSpec, newSpec: IcebergTableSpec): SchemaChangePlan {
  const where = `Iceberg table ${oldSpec.database}.${oldSpec.table}`;
  if (oldSpec.database !== newSpec.database || oldSpec.table !== newSpec.table) {
    throw new IcebergDdlError(
      `${where}: cannot become ${newSpec.database}.${newSpec.table}; renaming or moving the table would create a new one and orphan the existing table and its data`,
    );
  }
  if (oldSpec.location !== newSpec.location) {
    throw new IcebergDdlError(
      `${where}: location cannot change from "${oldSpec.location}" to "${newSpec.location}"; the data and Iceberg metadata stay where they are (keep the old location, or migrate the table by hand)`,
    );
  }
  if (JSON.stringify(oldSpec.partitioning) !== JSON.stringify(newSpec.partitioning)) {
    throw new IcebergDdlError(
      `${where}: partitioning cannot change from (${oldSpec.partitioning.join(', ')}) to (${newSpec.partitioning.join(', ')}); partition evolution is not applied by deploys (keep the granularity, or evolve the table by hand)`,
    );
  }
  validateIcebergTableSpec(newSpec);

  const newByName = new Map(newSpec.columns.map((column) => [column.name, column]));
  const changeComments: IcebergColumn[] = [];
  oldSpec.columns.forEach((oldColumn, index) => {
    const newColumn = newByName.get(oldColumn.name);
    if (!newColumn) {
      throw new IcebergDdlError(
        `${where}: column "${oldColumn.name}" was removed from the declaration; deploys never drop columns (data would be lost); keep the column (mark it deprecated in its description)`,
      );
    }
    if (newColumn.type !== oldColumn.type) {
      throw new IcebergDdlError(
        `${where}: column "${oldColumn.name}" changed type from ${oldColumn.type} to ${newColumn.type}; deploys only add columns (add a new column instead, or migrate the table by hand)`,
      );
    }
    if (newSpec.columns[index]?.name !== oldColumn.name) {
      throw new IcebergDdlError(
        `${where}: column "${oldColumn.name}" moved from position ${index + 1} to ${newSpec.columns.indexOf(newColumn) + 1}; ADD COLUMNS appends, so existing columns keep their order and new columns go at the end`,
      );
    }
    if (newColumn.comment !== oldColumn.comment) changeComments.push(newColumn);
  });

  const setProperties: Record<string, string> = {};
  for (const key of Object.keys(oldSpec.properties)) {
    if (!(key in newSpec.properties)) {
      throw new IcebergDdlError(`${where}: table property "${key}" was removed; Athena cannot unset Iceberg table properties (set it to the value you want instead)`);
    }
  }
  for (const [key, value] of Object.entries(newSpec.properties)) {
    if (oldSpec.properties[key] === value) continue;
    if (key === 'table_type') throw new IcebergDdlError(`${where}: table property table_type cannot change`);
    setProperties[key] = value;
  }

  return { addColumns: newSpec.columns.slice(oldSpec.columns.length), changeComments, setProperties };
}

/** `ALTER TABLE … ADD COLUMNS (…)` in Athena's documented Iceberg form (no COMMENT; see columnCommentDdl). */
export function addColumnsDdl(spec: IcebergTableSpec, columns: readonly IcebergColumn[]): string {
  if (columns.length === 0) throw new IcebergDdlError(`Iceberg table ${spec.database}.${spec.table}: no columns to add`);
  const where = `Iceberg table ${spec.database}.${spec.table}`;
  checkIdentifier(spec.database, 'database name', where);
  checkIdentifier(spec.table, 'table name', where);
  for (const column of columns) checkIdentifier(column.name, 'column name', where);
  return `ALTER TABLE ${qualifiedName(spec)} ADD COLUMNS (${columns.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(', ')})`;
}

/** `ALTER TABLE … CHANGE COLUMN c c type COMMENT '…'`: sets a column's comment, nothing else. */
export function columnCommentDdl(spec: IcebergTableSpec, column: IcebergColumn): string {
  const where = `Iceberg table ${spec.database}.${spec.table}`;
  checkIdentifier(column.name, 'column name', where);
  const name = quoteIdentifier(column.name);
  return `ALTER TABLE ${qualifiedName(spec)} CHANGE COLUMN ${name} ${name} ${column.type} COMMENT ${quoteString(column.comment)}`;
}

/** `ALTER TABLE … SET TBLPROPERTIES (…)`. */
export function setPropertiesDdl(spec: IcebergTableSpec, properties: Readonly<Record<string, string>>): string {
  const entries = Object.entries(properties);
  if (entries.length === 0) throw new IcebergDdlError(`Iceberg table ${spec.database}.${spec.table}: no properties to set`);
  return `ALTER TABLE ${qualifiedName(spec)} SET TBLPROPERTIES (${entries.map(([key, value]) => `${quoteString(key)}=${quoteString(value)}`).join(', ')})`;
}

/** Every statement an update runs, in order: add columns, then their and changed comments, then properties. */
export function schemaChangeStatements(spec: IcebergTableSpec, plan: SchemaChangePlan): string[] {
  const statements: string[] = [];
  if (plan.addColumns.length > 0) statements.push(addColumnsDdl(spec, plan.addColumns));
  for (const column of [...plan.addColumns, ...plan.changeComments]) {
    if (column.comment !== '') statements.push(columnCommentDdl(spec, column));
  }
  if (Object.keys(plan.setProperties).length > 0) statements.push(setPropertiesDdl(spec, plan.setProperties));
  return statements;
}

/** A backtick-quoted DDL identifier (backticks inside are doubled, as Hive reads them). */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A single-quoted Hive DDL string literal: backslash, quote and control characters escaped C-style. */
export function quoteString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

function qualifiedName(spec: IcebergTableSpec): string {
  return `${quoteIdentifier(spec.database)}.${quoteIdentifier(spec.table)}`;
}

function renderPartitionField(field: string): string {
  const match = PARTITION_FIELD.exec(field);
  if (!match) throw new IcebergDdlError(`partition field "${field}" is not valid`);
  return match[1] ? `${match[1]}(${quoteIdentifier(match[2])})` : quoteIdentifier(match[3]);
}

function checkIdentifier(name: unknown, what: string, where: string): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name) || name.length > 255) {
    throw new IcebergDdlError(`${where}: ${what} "${String(name)}" must be lowercase letters, digits and underscores (at most 255), as Athena requires`);
  }
}

/** `s3://bucket/folder/…/`; refuses a bucket root, other schemes, empty segments and quotes. */
function normaliseLocation(location: string, where: string): string {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/.exec(location);
  if (!match) throw new IcebergDdlError(`${where}: location "${location}" is not an S3 URI (s3://bucket/folder/)`);
  const path = (match[2] ?? '').replace(/^\//, '');
  if (path === '' || /^\/*$/.test(path)) {
    throw new IcebergDdlError(
      `${where}: location "${location}" is a bucket root; an Iceberg table needs its own folder (s3://${match[1]}/<folder>/), or its data and metadata would mix with everything else in the bucket`,
    );
  }
  if (path.split('/').slice(0, path.endsWith('/') ? -1 : undefined).some((segment) => segment === '')) {
    throw new IcebergDdlError(`${where}: location "${location}" has an empty path segment ("//")`);
  }
  if (/['\\\s]/.test(location)) throw new IcebergDdlError(`${where}: location "${location}" contains a quote, backslash or whitespace`);
  return path.endsWith('/') ? location : `${location}/`;
}

/** The first Athena type in `type` that Iceberg tables do not support, or undefined. */
function unsupportedIcebergType(type: GlueType): string | undefined {
  switch (type.kind) {
    case 'primitive':
      return type.name === 'tinyint' || type.name === 'smallint' ? type.name : undefined;
    case 'varchar':
    case 'char':
      return renderGlueType(type);
    case 'decimal':
      return undefined;
    case 'array':
      return unsupportedIcebergType(type.element);
    case 'map':
      return unsupportedIcebergType(type.key) ?? unsupportedIcebergType(type.value);
    case 'struct':
      for (const field of type.fields) {
        const found = unsupportedIcebergType(field.type);
        if (found) return found;
      }
      return undefined;
  }
}
