import { Parser } from 'node-sql-parser';
import type { ColumnDefinition, DatasetDefinition, QualityRules, TimeGranularity } from '../../constructs/datasets';
import { startMotoServer } from '../support/moto-server';

// ---------------------------------------------------------------------------------------------------
// SQL inspection
// ---------------------------------------------------------------------------------------------------

export type Node = Record<string, unknown>;
const parser = new Parser();

/** Parses with node-sql-parser's Trino grammar (Athena engine 3); throws on a syntax error or several statements. */
export function parseTrino(sql: string): Node {
  const ast = parser.astify(sql, { database: 'trino' }) as unknown;
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw new Error(`expected one statement, parsed ${ast.length}`);
    return ast[0] as Node;
  }
  return ast as Node;
}

/** Every object node of an AST, depth first. */
export function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
  } else if (node !== null && typeof node === 'object') {
    yield node as Node;
    for (const child of Object.values(node as Node)) yield* walk(child);
  }
}

/**
 * Column names an expression references. node-sql-parser's trino grammar reads a double-quoted
 * identifier as a `double_quote_string`; the compiled SQL writes no other double-quoted text, so both
 * those and `column_ref` nodes are column references.
 */
export function referencedColumns(expression: unknown): string[] {
  const names: string[] = [];
  for (const node of walk(expression)) {
    if (node.type === 'double_quote_string' && typeof node.value === 'string') names.push(node.value);
    if (node.type === 'column_ref') {
      const column = node.column as unknown;
      const name = typeof column === 'string' ? column : ((column as Node)?.expr as Node)?.value;
      if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

/** The AND-ed conditions of a WHERE clause. */
export function conjuncts(where: unknown): Node[] {
  if (where === null || typeof where !== 'object') return [];
  const node = where as Node;
  if (node.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND') return [...conjuncts(node.left), ...conjuncts(node.right)];
  return [node];
}

/** True when the expression references no column (a constant the planner can prune partitions with). */
export function isConstant(expression: unknown): boolean {
  return referencedColumns(expression).length === 0 && ![...walk(expression)].some((node) => node.type === 'select' || node.type === 'aggr_func');
}

/**
 * A lexer for Trino's string literals and quoted identifiers, the rules Athena applies (not
 * node-sql-parser's, which reads a backslash as an escape): `'…'` with `''` as the only escape, `"…"`
 * with `""`. Returns the decoded literals and the SQL with every literal replaced by `?`, so that two
 * queries that differ only in literal content have the same skeleton.
 */
export function trinoLiterals(sql: string): { skeleton: string; literals: string[] } {
  const literals: string[] = [];
  let skeleton = '';
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    if (char === "'") {
      let value = '';
      index += 1;
      for (;;) {
        if (index >= sql.length) throw new Error('unterminated string literal');
        if (sql[index] === "'") {
          if (sql[index + 1] === "'") {
            value += "'";
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        value += sql[index];
        index += 1;
      }
      literals.push(value);
      skeleton += '?';
    } else if (char === '"') {
      const end = sql.indexOf('"', index + 1);
      if (end === -1) throw new Error('unterminated identifier');
      skeleton += sql.slice(index, end + 1);
      index = end + 1;
    } else {
      skeleton += char;
      index += 1;
    }
  }
  return { skeleton, literals };
}

// ---------------------------------------------------------------------------------------------------
// Random datasets
// ---------------------------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so property failures reproduce from their seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const chance = (probability: number) => next() < probability;
  const subset = <T>(items: readonly T[], probability = 0.5): T[] => items.filter(() => chance(probability));
  return { next, int, pick, chance, subset };
}

const NAMES = ['amount', 'status', 'country', 'user_ref', 'order_no', 'created_at', 'updated_on', 'score', 'label', 'payload', 'tags', 'attributes', 'is_test', 'price', 'source_system', 'seq'];
const SCALAR_TYPES = ['string', 'varchar(64)', 'int', 'bigint', 'boolean', 'decimal(12,2)', 'date', 'timestamp'];
const NUMERIC_TYPES = ['int', 'bigint', 'double', 'decimal(12,2)', 'float'];
const COMPLEX_TYPES = ['array<string>', 'map<string,string>', 'struct<a:string,b:int>'];
const ICEBERG_UNSAFE = new Set(['varchar(64)', 'float']);

/** A valid random dataset: random columns, format, partitioning and a random subset of every quality rule. */
export function randomDataset(seed: number): DatasetDefinition {
  const rng = random(seed);
  const format = rng.chance(0.35) ? 'iceberg' : 'parquet';
  const granularity: TimeGranularity = rng.pick(['hour', 'day', 'month']);
  const names = rng.subset(NAMES, 0.5);
  while (names.length < 2) names.push(NAMES.find((name) => !names.includes(name)) as string);
  const columns: ColumnDefinition[] = names.map((name) => {
    let type = rng.pick([...SCALAR_TYPES, ...NUMERIC_TYPES, ...COMPLEX_TYPES]);
    if (format === 'iceberg') while (ICEBERG_UNSAFE.has(type)) type = rng.pick(SCALAR_TYPES);
    return { name, type, description: `${name} column`, classification: rng.pick(['public', 'internal', 'confidential', 'pii'] as const) };
  });
  // An event-time column (always for Iceberg, which partitions by a transform of it).
  const timeType = format === 'iceberg' ? (granularity === 'hour' ? 'timestamp' : rng.pick(['date', 'timestamp'])) : rng.pick(['timestamp', 'date', 'string']);
  columns.push({ name: 'happened_at', type: timeType, description: 'Event time', classification: 'internal' });
  const eventTime = format === 'iceberg' || rng.chance(0.6);

  const typeOf = (name: string) => columns.find((column) => column.name === name)?.type ?? '';
  const isNumeric = (name: string) => NUMERIC_TYPES.includes(typeOf(name));
  const isText = (name: string) => ['string', 'varchar(64)', 'int', 'bigint', 'boolean', 'decimal(12,2)', 'date', 'timestamp'].includes(typeOf(name));
  const comparable = (name: string) => !typeOf(name).startsWith('map');
  const all = columns.map((column) => column.name);

  const quality: { -readonly [K in keyof QualityRules]: QualityRules[K] } = {};
  if (rng.chance(0.6)) quality.completeness = Object.fromEntries(rng.subset(all, 0.4).map((name) => [name, rng.pick([0, 0.5, 0.95, 0.99, 1])]));
  if (rng.chance(0.5)) {
    const key = rng.subset(all.filter(comparable), 0.3).slice(0, 3);
    if (key.length > 0) quality.uniqueKey = key;
  }
  if (rng.chance(0.5)) {
    quality.acceptedValues = Object.fromEntries(
      rng.subset(all.filter(isText), 0.3).map((name) => [name, Array.from({ length: rng.int(1, 4) }, (_, index) => rng.pick(['a', "it's", 'x;y', '--', `v${index}`]))]),
    );
  }
  if (rng.chance(0.5)) {
    quality.ranges = Object.fromEntries(
      rng.subset(all.filter(isNumeric), 0.5).map((name) => {
        const min = rng.chance(0.7) ? rng.pick([-10, 0, 0.5, 1]) : undefined;
        const max = rng.chance(0.7) || min === undefined ? rng.pick([1.5, 100, 1e6]) : undefined;
        return [name, { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }];
      }),
    );
  }
  if (rng.chance(0.5)) quality.formats = Object.fromEntries(rng.subset(all.filter(isText), 0.3).map((name) => [name, rng.pick(['^[a-z]+$', "^it's\\d+$", '\\w+@\\w+'])]));
  if (rng.chance(0.4)) quality.rowCount = rng.chance(0.5) ? { min: rng.int(0, 10) } : { min: rng.int(0, 10), max: rng.int(10, 1000) };
  const timestamps = all.filter((name) => ['timestamp', 'date'].includes(typeOf(name)));
  if (timestamps.length > 0 && rng.chance(0.4)) quality.freshnessColumn = rng.pick(timestamps);

  const keys =
    format === 'parquet' && rng.chance(0.4)
      ? [{ kind: 'enum' as const, name: 'region', sourceField: 'region', values: ['eu', 'us'], otherValue: 'other' }]
      : undefined;
  return {
    name: `random_${seed}`,
    zone: 'raw',
    owner: 'tests',
    domain: 'testing',
    description: 'A generated dataset',
    columns,
    format,
    partitioning: {
      time: { granularity, source: eventTime ? { kind: 'event-time', column: 'happened_at' } : { kind: 'ingestion-time' } },
      ...(keys ? { keys } : {}),
    },
    retentionDays: { raw: 400 },
    freshnessSloMinutes: rng.pick([10, 60, 1440]),
    ingestion: format === 'iceberg' ? 'batch' : rng.pick(['stream', 'batch']),
    quality,
    // A contract with pii columns must say whose rows they are; a generated one has no subject key.
    ...(columns.some((column) => column.classification === 'pii') ? { dataSubject: { none: 'generated test data' } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// moto
// ---------------------------------------------------------------------------------------------------

// Offline SDK clients: never probe the instance metadata service; credentials and endpoint are explicit.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
export const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export interface Moto {
  readonly endpoint: string;
  /** Queues Athena results: each StartQueryExecution in `region` takes the next one (moto's API). */
  seedAthenaResults(region: string, results: ReadonlyArray<{ columns: readonly string[]; rows: ReadonlyArray<ReadonlyArray<string | null>> }>): Promise<void>;
  stop(): Promise<void>;
}

/** A moto server on a free loopback port, started and stopped by the test file. */
export async function startMoto(): Promise<Moto> {
  const { endpoint, stop } = await startMotoServer();
  return {
    endpoint,
    async seedAthenaResults(region, results) {
      const body = {
        region,
        results: results.map((result) => ({
          // Athena repeats the column names as the first row of a SELECT's results.
          rows: [result.columns, ...result.rows].map((row) => ({ Data: row.map((value) => (value === null ? {} : { VarCharValue: value })) })),
          column_info: result.columns.map((name) => ({ Name: name, Label: name, Type: 'varchar', CatalogName: 'hive', SchemaName: '', TableName: '', Nullable: 'UNKNOWN', CaseSensitive: true, Precision: 0, Scale: 0 })),
        })),
      };
      const response = await fetch(`${endpoint}/moto-api/static/athena/query-results`, { method: 'POST', body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`seeding Athena results failed: ${response.status} ${await response.text()}`);
    },
    stop,
  };
}
