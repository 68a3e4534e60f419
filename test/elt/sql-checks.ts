/**
 * Offline checks of the ELT statements, on node-sql-parser's `trino` AST (Athena engine 3 is Trino).
 * The parser is more permissive than Trino, so parsing is necessary, not sufficient. It parses DELETE and
 * INSERT … SELECT (with WITH); it does not parse MERGE, which the ELT therefore does not use.
 *
 * Schemas are derived from the dataset declarations (config/datasets), never written here.
 */
import { Parser } from 'node-sql-parser';
import type { DatasetDefinition } from '../../constructs/datasets';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import {
  columnReferenceProblems,
  conjuncts,
  datasetSchema,
  identifier,
  isColumn,
  isConstant,
  parse,
  tableReads,
  walk,
  writtenReads,
  type DatasetSchema,
  type Node,
  type TableRead,
} from '../support/trino-ast';

export { parse, type Node };

export const RAW_DATABASE = 'lakehouse_test_raw';
export const CURATED_DATABASE = 'lakehouse_test_curated';
export const ANALYTICS_DATABASE = 'lakehouse_test_analytics';
export const SAMPLE_DAY = '2026-03-15';

export const EVENTS = datasetSchema(events);
/** What the metrics read: events_curated, pruned by event_date (its partition source, `day(event_date)`). */
export const CURATED = datasetSchema(eventsCurated);

/** Column references of an INSERT's query that are not a column, partition key or struct field of the source, nor defined by it. */
export function readColumnProblems(ast: Node, schema: DatasetSchema = EVENTS): string[] {
  return columnReferenceProblems((ast.type === 'insert' ? ast.values : ast) as Node, schema, 'statement');
}

/** Column references of a DELETE that are not columns of the target. */
export function deleteColumnProblems(ast: Node, target: DatasetDefinition): string[] {
  const columns = new Set(target.columns.map((column) => column.name));
  const problems: string[] = [];
  for (const node of walk(ast.where)) {
    if (node.type !== 'column_ref') continue;
    const table = identifier(node.table);
    const column = identifier(node.column) ?? '';
    if (table !== undefined && table !== target.name) problems.push(`"${table}.${column}": qualified by ${table}, not ${target.name}`);
    if (!columns.has(column)) problems.push(`"${column}" is not a column of ${target.name}`);
  }
  return problems;
}

/**
 * A condition that bounds `key` on both sides with constants: `key = c` or `key BETWEEN c1 AND c2`.
 * (Stricter than the named queries' lower bound: an ELT run must read a fixed set of partitions.)
 */
export function boundsKey(condition: Node, key: string, qualifiers: ReadonlySet<string>): boolean {
  if (condition.type !== 'binary_expr' || !isColumn(condition.left, key, qualifiers)) return false;
  const operator = String(condition.operator).toUpperCase();
  return (operator === '=' || operator === 'BETWEEN') && isConstant(condition.right);
}

/** The reads of the source table (events by default; see tableReads). */
export const eventsReads = (ast: Node, schema: DatasetSchema = EVENTS): TableRead[] => tableReads(ast, schema.table);

/** Reads of the source not from its database or whose SELECT does not bound its date key on both sides. */
export function partitionProblems(ast: Node, sql: string, schema: DatasetSchema = EVENTS, database = RAW_DATABASE): string[] {
  const problems: string[] = [];
  const reads = eventsReads(ast, schema);
  for (const { entry, select } of reads) {
    const alias = identifier(entry.as);
    const read = `${identifier(entry.db) ?? '(no database)'}.${schema.table}${alias ? ` ${alias}` : ''}`;
    if (identifier(entry.db) !== database) problems.push(`reads ${read}, expected ${database}.${schema.table}`);
    const qualifiers = new Set([schema.table, ...(alias ? [alias] : [])]);
    if (!conjuncts(select.where).some((condition) => boundsKey(condition, schema.dateKey, qualifiers))) {
      problems.push(`reads ${read} without an AND-ed WHERE condition ${schema.dateKey} = <constant> or ${schema.dateKey} BETWEEN <constant> AND <constant>`);
    }
  }
  // Cross-check against the text, so that a place where the parser hides a table reference cannot go unchecked.
  const written = writtenReads(sql, database, schema.table);
  if (written !== reads.length) problems.push(`the text reads ${database}.${schema.table} ${written} times, the parsed statement ${reads.length} times`);
  return problems;
}

/** The SELECT branches of a query (a UNION ALL chain is linked through `_next`). */
export function branches(select: Node): Node[] {
  const result: Node[] = [];
  for (let node: Node | undefined = select; node; node = node._next as Node | undefined) result.push(node);
  return result;
}

/** The output name of a select item: its alias, or the column it names. */
export function outputName(item: Node): string | undefined {
  return identifier(item.as) ?? (isColumnRef(item.expr) ? identifier((item.expr as Node).column) : undefined);
}

function isColumnRef(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && (value as Node).type === 'column_ref';
}

/** INSERT problems: target table, column list (the target's columns in order), output names and widths. */
export function insertShapeProblems(ast: Node, target: DatasetDefinition, database = ANALYTICS_DATABASE): string[] {
  const problems: string[] = [];
  const [table] = ast.table as Node[];
  if (identifier(table.db) !== database || identifier(table.table) !== target.name) {
    problems.push(`inserts into ${identifier(table.db)}.${identifier(table.table)}, expected ${database}.${target.name}`);
  }
  const expected = target.columns.map((column) => column.name);
  const listed = ((ast.columns as unknown[]) ?? []).map((column) => identifier(column));
  if (JSON.stringify(listed) !== JSON.stringify(expected)) problems.push(`column list (${listed.join(', ')}) is not the target's columns in order (${expected.join(', ')})`);
  const [first, ...others] = branches(ast.values as Node);
  const names = (first.columns as Node[]).map(outputName);
  if (JSON.stringify(names) !== JSON.stringify(expected)) problems.push(`the SELECT produces (${names.join(', ')}), expected (${expected.join(', ')})`);
  for (const [index, branch] of others.entries()) {
    const width = (branch.columns as Node[]).length;
    if (width !== expected.length) problems.push(`UNION branch ${index + 2} produces ${width} columns, expected ${expected.length}`);
  }
  return problems;
}

/** An expression with table qualifiers of column references removed and a top-level CAST unwrapped. */
export function normalize(value: unknown, unwrapCast = true): unknown {
  let node = value;
  if (unwrapCast && node !== null && typeof node === 'object' && (node as Node).type === 'cast') node = (node as Node).expr;
  return JSON.parse(
    JSON.stringify(node, (key, inner) => {
      if (key === 'table' || key === 'collate' || key === 'parentheses') return undefined;
      return inner;
    }),
  );
}

const same = (left: unknown, right: unknown) => JSON.stringify(normalize(left)) === JSON.stringify(normalize(right));
/** An expression as SQL, for messages. */
const render = (value: unknown): string => {
  try {
    return new Parser().exprToSQL(value as never, { database: 'trino' });
  } catch {
    return JSON.stringify(value);
  }
};

/** A DATE-typed constant as the dt string the partition filter would use: `DATE 'x'` → `'x'`, else date_format(e, '%Y-%m-%d'). */
function asDtBound(dateExpression: Node): unknown {
  if (dateExpression.type === 'date') return { type: 'single_quote_string', value: dateExpression.value };
  return {
    type: 'function',
    name: { name: [{ type: 'default', value: 'date_format' }] },
    args: { type: 'expr_list', value: [dateExpression, { type: 'single_quote_string', value: '%Y-%m-%d' }] },
    over: null,
  };
}

/** Where a column of the outer SELECT comes from: the CTE item that defines it, and that CTE's SELECT. */
function cteSource(insert: Node, reference: Node): { item: Node; select: Node } | undefined {
  const query = insert.values as Node;
  const ctes = (query.with as Node[] | null) ?? [];
  const column = identifier(reference.column);
  const qualifier = identifier(reference.table);
  const fromEntries = (query.from as Node[]) ?? [];
  const relation = qualifier === undefined ? undefined : fromEntries.find((entry) => identifier(entry.as) === qualifier || identifier(entry.table) === qualifier);
  for (const cte of ctes) {
    if (relation && identifier(cte.name) !== identifier(relation.table)) continue;
    const select = (cte.stmt as Node).ast as Node;
    const item = (select.columns as Node[]).find((candidate) => outputName(candidate) === column);
    if (item) return { item, select };
  }
  return undefined;
}

/**
 * Whether the DELETE removes exactly the rows the INSERT writes for the day:
 * - the DELETE targets the same table, has one condition on the target's date column and otherwise only
 *   `column = expression` conditions on other target columns;
 * - `date = K` (K constant): every UNION branch of the INSERT produces K as the date column;
 * - `date BETWEEN LO AND HI` (constants): the INSERT's date column is a CTE column `CAST(dt AS date)` of a
 *   read of events filtered on `dt BETWEEN <LO as dt> AND <HI as dt>`, the same range; or, from a source
 *   whose date key is already a date (events_curated), the CTE column is that key, filtered on
 *   `key BETWEEN LO AND HI`;
 * - every other `column = E` condition: the INSERT produces E (modulo table qualifiers and a CAST) for it.
 */
export function idempotencyProblems(deleteAst: Node, insertAst: Node, target: DatasetDefinition, schema: DatasetSchema = EVENTS): string[] {
  const problems: string[] = [];
  const dateColumn = target.partitioning.time?.source.kind === 'event-time' ? target.partitioning.time.source.column : undefined;
  if (!dateColumn) return [`${target.name} has no date column`];
  const [deleted] = deleteAst.table as Node[];
  const [inserted] = insertAst.table as Node[];
  if (`${identifier(deleted.db)}.${identifier(deleted.table)}` !== `${identifier(inserted.db)}.${identifier(inserted.table)}`) {
    problems.push(`DELETE targets ${identifier(deleted.db)}.${identifier(deleted.table)}, INSERT ${identifier(inserted.db)}.${identifier(inserted.table)}`);
  }
  const columns = target.columns.map((column) => column.name);
  const conditions = conjuncts(deleteAst.where);
  const onDate = conditions.filter((condition) => isColumn(condition.left, dateColumn));
  if (onDate.length !== 1) return [...problems, `the DELETE must have exactly one AND-ed condition on ${dateColumn}, has ${onDate.length}`];
  const [dateCondition] = onDate;
  const operator = String(dateCondition.operator).toUpperCase();
  const outputs = branches(insertAst.values as Node).map((branch) => branch.columns as Node[]);
  const produced = (column: string) => outputs.map((items) => items[columns.indexOf(column)]?.expr as Node);

  if (operator === '=' && isConstant(dateCondition.right)) {
    for (const [index, expression] of produced(dateColumn).entries()) {
      if (!same(expression, dateCondition.right)) {
        problems.push(`INSERT branch ${index + 1} produces ${dateColumn} = ${render(expression)}, the DELETE removes ${dateColumn} = ${render(dateCondition.right)}`);
      }
    }
  } else if (operator === 'BETWEEN' && isConstant(dateCondition.right)) {
    const [low, high] = ((dateCondition.right as Node).value as Node[]) ?? [];
    for (const [index, expression] of produced(dateColumn).entries()) {
      const source = isColumnRef(expression) ? cteSource(insertAst, expression) : undefined;
      const dateSource = schema.table !== EVENTS.table;
      const fromKey = source && (dateSource ? isColumn(source.item.expr, schema.dateKey) : (source.item.expr as Node).type === 'cast' && isColumn((source.item.expr as Node).expr, schema.dateKey));
      if (!source || !fromKey) {
        problems.push(`INSERT branch ${index + 1}: ${dateColumn} is not a CTE column ${dateSource ? schema.dateKey : `CAST(${schema.dateKey} AS date)`} of a read of ${schema.table}`);
        continue;
      }
      const filter = conjuncts(source.select.where).find((condition) => boundsKey(condition, schema.dateKey, new Set([schema.table])));
      const range = filter && String(filter.operator).toUpperCase() === 'BETWEEN' ? ((filter.right as Node).value as Node[]) : undefined;
      const bound = (value: Node) => (dateSource ? value : asDtBound(value));
      if (!range || !same(range[0], bound(low)) || !same(range[1], bound(high))) {
        const scanned = range ? `BETWEEN ${render(range[0])} AND ${render(range[1])}` : filter ? render(filter) : '(unfiltered)';
        problems.push(`INSERT branch ${index + 1}: ${dateColumn} comes from ${schema.dateKey} ${scanned}, the DELETE removes ${dateColumn} BETWEEN ${render(low)} AND ${render(high)}`);
      }
    }
  } else {
    problems.push(`the DELETE's condition on ${dateColumn} must be = <constant> or BETWEEN <constant> AND <constant>`);
  }

  for (const condition of conditions.filter((entry) => entry !== dateCondition)) {
    const column = isColumnRef(condition.left) ? identifier((condition.left as Node).column) : undefined;
    if (!column || !columns.includes(column) || String(condition.operator) !== '=') {
      problems.push(`the DELETE's other conditions must be <target column> = <expression>, got ${render(condition)}`);
      continue;
    }
    for (const [index, expression] of produced(column).entries()) {
      if (!same(expression, condition.right)) problems.push(`INSERT branch ${index + 1} produces ${column} = ${render(expression)}, the DELETE removes ${column} = ${render(condition.right)}`);
    }
  }
  return problems;
}
