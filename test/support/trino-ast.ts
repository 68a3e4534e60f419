/**
 * Offline checks of Athena SQL on node-sql-parser's `trino` AST (Athena engine 3 is Trino-based; the
 * parser is more permissive than Trino, so parsing is necessary, not sufficient). Shared by the named
 * queries' tests and the ELT's (test/elt/sql-checks.ts). Schemas are derived from the dataset
 * declarations through the model's own functions, never written here.
 */
import { Parser } from 'node-sql-parser';
import { glueColumns, gluePartitionKeys, parseGlueType, partitionKeys, type DatasetDefinition } from '../../constructs/datasets';

export type Node = Record<string, unknown>;

/** What SQL over a dataset may reference. */
export interface DatasetSchema {
  /** The table name. */
  readonly table: string;
  /** Stored columns and partition keys. */
  readonly columns: ReadonlySet<string>;
  /** Fields of each struct column. */
  readonly structFields: ReadonlyMap<string, ReadonlySet<string>>;
  /** The date partition key reads must filter on (`dt`; an Iceberg table's partition source column). */
  readonly dateKey: string;
}

export function datasetSchema(dataset: DatasetDefinition): DatasetSchema {
  // An Iceberg table has no partition-key columns: reads prune by its partition source column (hidden partitioning).
  const iceberg = dataset.format === 'iceberg';
  const keys = iceberg ? [] : gluePartitionKeys(dataset);
  const columns = new Set([...glueColumns(dataset), ...keys].map((column) => column.name.toLowerCase()));
  const structFields = new Map<string, Set<string>>();
  for (const column of glueColumns(dataset)) {
    const type = parseGlueType(column.type);
    if (type.kind === 'struct') structFields.set(column.name.toLowerCase(), new Set(type.fields.map((field) => field.name.toLowerCase())));
  }
  const source = dataset.partitioning.time.source;
  const dateKey = iceberg ? (source.kind === 'event-time' ? source.column : undefined) : partitionKeys(dataset).find((key) => key.projection.type === 'date')?.name;
  if (!dateKey) throw new Error(`${dataset.name} has no date partition key`);
  return { table: dataset.name, columns, structFields, dateKey };
}

/** Exactly one statement, parsed with the trino grammar. */
export function parse(sql: string): Node {
  const ast = new Parser().astify(sql, { database: 'trino' });
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) throw new Error(`expected one statement, got ${statements.length}`);
  return statements[0] as unknown as Node;
}

/** Every object node of the AST, depth first. */
export function* walk(value: unknown): Generator<Node> {
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item);
  } else if (value !== null && typeof value === 'object') {
    yield value as Node;
    for (const child of Object.values(value)) yield* walk(child);
  }
}

/** An identifier as node-sql-parser spells it (a string, `{ value }` or `{ expr: { value } }`), lowercased. */
export function identifier(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (value !== null && typeof value === 'object') {
    const node = value as Node;
    if ('expr' in node) return identifier(node.expr);
    if (typeof node.value === 'string') return node.value.toLowerCase();
  }
  return undefined;
}

/** Names the SQL defines itself: relations (CTEs, tables, table aliases) and column aliases. */
export function definedNames(ast: Node): { relations: Set<string>; aliases: Set<string> } {
  const relations = new Set<string>();
  const aliases = new Set<string>();
  const add = (set: Set<string>, value: unknown) => {
    const name = identifier(value);
    if (name) set.add(name);
  };
  for (const node of walk(ast)) {
    if (Array.isArray(node.with)) {
      for (const cte of node.with as Node[]) {
        add(relations, cte.name);
        if (Array.isArray(cte.columns)) for (const column of cte.columns) add(aliases, column);
      }
    }
    if (Array.isArray(node.from)) {
      for (const entry of node.from as Node[]) {
        add(relations, entry.as);
        if (typeof entry.table === 'string') add(relations, entry.table);
      }
    }
    if (node.type === 'select' && Array.isArray(node.columns)) {
      for (const column of node.columns as Node[]) add(aliases, column.as);
    }
  }
  return { relations, aliases };
}

/**
 * Column references under `query` that are not a column, partition key or struct field of the dataset,
 * nor a name `query` defines. `scope` names the SQL in messages ("query", "statement").
 */
export function columnReferenceProblems(query: Node, schema: DatasetSchema, scope: string): string[] {
  const { relations, aliases } = definedNames(query);
  const known = (name: string) => schema.columns.has(name) || aliases.has(name);
  const problems: string[] = [];
  for (const node of walk(query)) {
    if (node.type !== 'column_ref') continue;
    const parts = [identifier(node.schema), identifier(node.table), identifier(node.column)].filter((part): part is string => !!part);
    const reference = parts.join('.');
    if (parts[parts.length - 1] === '*') continue;
    // A leading relation (CTE, table or alias) qualifies the rest: `s.user_id`, `e.traits.plan`.
    const rest = parts.length > 1 && relations.has(parts[0]) ? parts.slice(1) : parts;
    if (rest.length === 1) {
      if (!known(rest[0])) problems.push(`"${reference}": ${rest[0]} is not a column of ${schema.table} nor defined in the ${scope}`);
    } else if (rest.length === 2) {
      const fields = schema.structFields.get(rest[0]);
      if (!fields) problems.push(`"${reference}": ${rest[0]} is neither a relation of the ${scope} nor a struct column of ${schema.table}`);
      else if (!fields.has(rest[1])) problems.push(`"${reference}": ${rest[0]} has no field ${rest[1]} (it has ${[...fields].join(', ')})`);
    } else {
      problems.push(`"${reference}": unsupported reference`);
    }
  }
  return problems;
}

/** The AND-ed conditions of a WHERE clause (anything under OR or NOT stays one condition). */
export function conjuncts(where: unknown): Node[] {
  if (where === null || typeof where !== 'object') return [];
  const node = where as Node;
  if (node.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND') return [...conjuncts(node.left), ...conjuncts(node.right)];
  return [node];
}

/** An expression that reads no row values (literals and functions of literals only). */
export function isConstant(value: unknown): boolean {
  return ![...walk(value)].some((node) => node.type === 'column_ref' || node.type === 'select' || 'ast' in node);
}

/** A reference to column `name`, unqualified or qualified by one of `qualifiers` (any, when omitted). */
export function isColumn(value: unknown, name: string, qualifiers?: ReadonlySet<string>): boolean {
  if (value === null || typeof value !== 'object') return false;
  const node = value as Node;
  if (node.type !== 'column_ref' || node.schema || identifier(node.column) !== name) return false;
  const table = identifier(node.table);
  return table === undefined || qualifiers === undefined || qualifiers.has(table);
}

/** A read of a table: its FROM entry and the SELECT it sits in (DELETE targets are not reads). */
export interface TableRead {
  readonly entry: Node;
  readonly select: Node;
}

export function tableReads(ast: Node, table: string): TableRead[] {
  const reads: TableRead[] = [];
  for (const node of walk(ast)) {
    if (!Array.isArray(node.from) || node.type === 'delete') continue;
    for (const entry of node.from as Node[]) if (identifier(entry.table) === table) reads.push({ entry, select: node });
  }
  return reads;
}

/** How often the SQL text (comments aside) names `<database>.<table>`: a cross-check on what the parser found. */
export function writtenReads(sql: string, database: string, table: string): number {
  const code = sql.split('\n').filter((line) => !line.trim().startsWith('--')).join('\n');
  return code.match(new RegExp(`\\b${database}\\s*\\.\\s*${table}\\b`, 'gi'))?.length ?? 0;
}
