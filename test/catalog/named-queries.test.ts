import * as fs from 'fs';
import * as path from 'path';
import { Lazy, Token } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DATABASE_PLACEHOLDER, namedQueries, namedQueryFiles } from '../../constructs/catalog/queries';
import { events } from '../../config/datasets/events';
import { columnReferenceProblems, conjuncts, datasetSchema, identifier, isColumn, isConstant, parse, tableReads, writtenReads, type Node } from '../support/trino-ast';

/**
 * The named queries are checked offline, without Athena:
 * - they parse with node-sql-parser's `trino` grammar (Athena engine 3 is Trino-based; the parser is more
 *   permissive than Trino, so parsing is necessary, not sufficient);
 * - every column reference names a column, partition key or struct field of `events` (derived from the
 *   dataset declaration), or a name the query itself defines (select alias, CTE, table alias);
 * - every read of `events` (CTEs, subqueries, joins, union branches) sits in a SELECT whose WHERE bounds
 *   the date partition key from below with a constant expression, so partition projection prunes it.
 */

const DATABASE = 'lakehouse_test_raw';
const TABLE = events.name;

const SCHEMA = datasetSchema(events);

/** Column references that are not a column, partition key or struct field of events, nor defined by the query. */
function columnProblems(sql: string): string[] {
  return columnReferenceProblems(parse(sql), SCHEMA, 'query');
}

/** A condition that bounds `key` from below with an expression of no row values (what projection can prune on). */
function boundsKey(condition: Node, key: string, qualifiers: ReadonlySet<string>): boolean {
  if (condition.type !== 'binary_expr') return false;
  const operator = String(condition.operator).toUpperCase();
  if (isColumn(condition.left, key, qualifiers) && ['BETWEEN', '=', 'IN', '>=', '>'].includes(operator)) return isConstant(condition.right);
  if (isColumn(condition.right, key, qualifiers) && ['=', '<=', '<'].includes(operator)) return isConstant(condition.left);
  return false;
}

/** Reads of events that are not `<database>.events` or whose SELECT does not filter the date partition key. */
function partitionProblems(sql: string, schema = SCHEMA, database: string = DATABASE): string[] {
  const problems: string[] = [];
  const reads = tableReads(parse(sql), TABLE);
  for (const { entry, select } of reads) {
    const alias = identifier(entry.as);
    const read = `${identifier(entry.db) ?? '(no database)'}.${TABLE}${alias ? ` ${alias}` : ''}`;
    if (identifier(entry.db) !== database) problems.push(`reads ${read}, expected ${database}.${TABLE}`);
    const qualifiers = new Set([TABLE, ...(alias ? [alias] : [])]);
    if (!conjuncts(select.where).some((condition) => boundsKey(condition, schema.dateKey, qualifiers))) {
      problems.push(
        `reads ${read} without a WHERE condition (AND-ed, not under OR) bounding ${schema.dateKey} from below ` +
          `(BETWEEN, =, IN, >= or >) by a constant expression`,
      );
    }
  }
  // Cross-check against the text, so a place where the parser hides a table reference cannot go unchecked.
  const written = writtenReads(sql, database, TABLE);
  if (written !== reads.length) problems.push(`the text reads ${database}.${TABLE} ${written} times, the parsed query ${reads.length} times`);
  if (reads.length === 0) problems.push(`does not read ${TABLE}`);
  return problems;
}

/** The leading `--` block: its lines without the comment marker. */
function header(sql: string): string[] {
  const lines = sql.split('\n');
  const end = lines.findIndex((line) => !line.startsWith('--'));
  return lines.slice(0, end === -1 ? lines.length : end).map((line) => line.replace(/^--\s?/, ''));
}

const QUERIES = namedQueries(DATABASE);
const QUERY_DIR = path.join(__dirname, '../../constructs/catalog/queries');
const raw = (name: string) => fs.readFileSync(path.join(QUERY_DIR, `${name}.sql`), 'utf8');
const within30Days = `dt BETWEEN date_format(current_date - interval '30' day, '%Y-%m-%d') AND date_format(current_date, '%Y-%m-%d')`;

describe('named queries over events', () => {
  it('ships the product queries under stable kebab-case names, within Athena NamedQuery limits', () => {
    expect(QUERIES.map((query) => query.name)).toEqual([
      'daily-active-users',
      'monthly-active-users',
      'dau-mau-stickiness',
      'retention-7-day',
      'funnel-conversion',
      'feature-adoption',
    ]);
    for (const query of QUERIES) {
      expect(query.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(query.name.length).toBeLessThanOrEqual(128);
      expect(query.description.length).toBeGreaterThan(0);
      expect(query.description.length).toBeLessThanOrEqual(1024);
      expect(Buffer.byteLength(query.sql)).toBeLessThanOrEqual(262_144);
    }
  });

  it('ships every .sql file in the folder, and only those', () => {
    const files = fs.readdirSync(QUERY_DIR).filter((file) => file.endsWith('.sql')).sort();
    expect(namedQueryFiles().sort()).toEqual(files);
  });

  it('passes an unresolved CDK token through as the database name', () => {
    const database = Lazy.string({ produce: () => 'lakehouse_dev_raw' });
    const [query] = namedQueries(database);
    expect(Token.isUnresolved(query.sql)).toBe(true);
    expect(query.sql).toContain(`${database}.${TABLE}`);
  });

  it('rejects a database name Athena cannot address unquoted', () => {
    expect(() => namedQueries('lakehouse-dev-raw')).toThrow(/cannot be used unquoted/);
    expect(() => namedQueries('Lakehouse_dev_raw')).toThrow(/cannot be used unquoted/);
  });

  describe.each(QUERIES.map((query) => [query.name, query] as const))('%s', (name, query) => {
    it('starts with a comment block: title, what it computes, how to adapt', () => {
      const lines = header(raw(name));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines[0].trim().length).toBeGreaterThan(0);
      expect(lines.some((line) => line.startsWith('Computes: '))).toBe(true);
      expect(lines.some((line) => line.startsWith('Adapt: '))).toBe(true);
    });

    it(`addresses ${DATABASE_PLACEHOLDER}.${TABLE} and has it substituted`, () => {
      expect(raw(name)).toContain(`${DATABASE_PLACEHOLDER}.${TABLE}`);
      expect(query.sql).not.toContain('{{');
      expect(query.sql).toContain(`${DATABASE}.${TABLE}`);
    });

    it('parses as Trino SQL (Athena engine 3)', () => {
      expect(() => parse(query.sql)).not.toThrow();
    });

    it(`references only columns, partition keys and struct fields of ${TABLE}, or names it defines`, () => {
      expect(columnProblems(query.sql)).toEqual([]);
    });

    it(`filters every read of ${TABLE} on the date partition key`, () => {
      expect(partitionProblems(query.sql)).toEqual([]);
    });

    it('fails both checks once mutated (the checks see this query)', () => {
      const reads = raw(name).split(`${DATABASE_PLACEHOLDER}.${TABLE}`).length - 1;
      expect(partitionProblems(query.sql.replaceAll(/\bdt BETWEEN\b/g, 'hour BETWEEN'))).toHaveLength(reads);
      expect(columnProblems(query.sql.replaceAll(/\buser_id\b/g, 'user_key')).length).toBeGreaterThan(0);
    });
  });
});

describe('the checks catch bad queries', () => {
  it('parse: a malformed query fails', () => {
    expect(() => parse(`SELECT user_id FROM ${DATABASE}.events WHERE dt BETWEEN '2026-01-01'`)).toThrow();
  });

  it('columns: an unknown column is reported', () => {
    const sql = `SELECT session_id, count(*) AS n FROM ${DATABASE}.events WHERE ${within30Days} GROUP BY session_id`;
    expect(columnProblems(sql)).toEqual([
      '"session_id": session_id is not a column of events nor defined in the query',
      '"session_id": session_id is not a column of events nor defined in the query',
    ]);
  });

  it('columns: an unknown struct field is reported, qualified or not', () => {
    const sql = `SELECT context.page_title, e.traits.tier FROM ${DATABASE}.events e WHERE ${within30Days}`;
    expect(columnProblems(sql)).toEqual([
      '"context.page_title": context has no field page_title (it has page_url, referrer)',
      '"e.traits.tier": traits has no field tier (it has plan, source)',
    ]);
  });

  it('partitions: a read of events without a dt filter is reported', () => {
    const sql = `SELECT count(DISTINCT user_id) AS users FROM ${DATABASE}.events WHERE event = 'page_view'`;
    expect(partitionProblems(sql)).toEqual([expect.stringMatching(/^reads lakehouse_test_raw\.events without a WHERE condition/)]);
  });

  it('partitions: a dt filter outside the CTE that reads events does not count', () => {
    const sql = `WITH daily AS (SELECT dt, user_id FROM ${DATABASE}.events) SELECT count(*) AS n FROM daily WHERE ${within30Days}`;
    expect(partitionProblems(sql)).toHaveLength(1);
  });

  it('partitions: dt under OR, wrapped in a function, or bounded only from above does not count', () => {
    const since = `date_format(current_date - interval '7' day, '%Y-%m-%d')`;
    for (const where of [`dt >= ${since} OR event = 'x'`, `CAST(dt AS date) >= current_date - interval '7' day`, `dt <= ${since}`]) {
      expect(partitionProblems(`SELECT user_id FROM ${DATABASE}.events WHERE ${where}`), where).toHaveLength(1);
    }
  });

  it('partitions: events read without the database, or from another database, is reported', () => {
    expect(partitionProblems(`SELECT user_id FROM events WHERE ${within30Days}`)).toContain(
      `reads (no database).events, expected ${DATABASE}.events`,
    );
    expect(partitionProblems(`SELECT user_id FROM other_db.events WHERE ${within30Days}`)).toContain(
      `reads other_db.events, expected ${DATABASE}.events`,
    );
  });
});
