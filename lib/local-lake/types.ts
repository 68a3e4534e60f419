/**
 * Glue (Hive DDL) column types as DuckDB types, so that the local lake's Parquet files and tables have
 * the types the Glue table declares (the same parser as the catalog, so a contract that synthesizes
 * also runs locally).
 */
import { parseGlueType, type GlueType } from '../../constructs/datasets/glue-type';

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  // Athena reads Parquet timestamps as timestamp(3) without a zone, in UTC: DuckDB's TIMESTAMP, session zone UTC.
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
};

/** The DuckDB type of a Glue type string, for example `struct<plan:string>` → `STRUCT("plan" VARCHAR)`. */
export function duckDbType(glueType: string): string {
  return render(parseGlueType(glueType));
}

function render(type: GlueType): string {
  switch (type.kind) {
    case 'primitive':
      return PRIMITIVES[type.name];
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'varchar':
    case 'char':
      // DuckDB has no length limit or padding; the contract's length is checked on the way in, not here.
      return 'VARCHAR';
    case 'array':
      return `${render(type.element)}[]`;
    case 'map':
      return `MAP(${render(type.key)}, ${render(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((field) => `"${field.name}" ${render(field.type)}`).join(', ')})`;
  }
}
