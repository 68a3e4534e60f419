/**
 * Every find, verify and delete statement of the shipped plan parses as Trino (Athena engine 3's
 * grammar) and references only the dataset's columns and partition keys, the hidden "$path", and the
 * subjects table's columns; the Parquet statements filter the date partition key.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { erasurePlan } from '../../constructs/privacy/plan';
import { columnReferenceProblems, conjuncts, datasetSchema, identifier, parse, walk } from '../support/trino-ast';

/**
 * The parser reads a double-quoted name as a string, not a column: names are unquoted (every name the plan
 * writes is snake_case), and the hidden columns renamed, so that every reference is checked.
 */
const parseUnquoted = (sql: string) => parse(sql.replace(/"\$path"/g, 'hidden_path').replace(/"\$rows"/g, 'hidden_rows').replace(/"([a-z_][a-z0-9_]*)"/g, '$1'));

const plan = erasurePlan(DATASETS, {
  databases: { raw: 'lake_raw', curated: 'lake_curated', analytics: 'lake_analytics' },
  buckets: { raw: 'raw', curated: 'curated', analytics: 'analytics' },
  privacyDatabase: 'lake_privacy',
});

describe.each(plan.map((target) => [target.dataset, target] as const))('%s statements', (name, target) => {
  const dataset = DATASETS.find((candidate) => candidate.name === name);
  if (!dataset) throw new Error(name);
  const base = datasetSchema(dataset);
  const schema = { ...base, columns: new Set([...base.columns, 'hidden_path', 'subject_id', 'batch_id']) };
  const statements = [target.findSql('b-1'), target.verifySql('b-1'), ...(target.kind === 'iceberg' ? [target.deleteSql('b-1')] : [])];

  it.each(statements.map((sql, index) => [index, sql] as const))('statement %i parses and names only known columns', (_, sql) => {
    const ast = parseUnquoted(sql);
    const references = [...walk(ast)].filter((node) => node.type === 'column_ref');
    expect(references.length).toBeGreaterThan(2);
    expect(columnReferenceProblems(ast, schema, 'statement')).toEqual([]);
  });

  it('restricts Parquet reads to the retention window on the date key, and nothing else by time', () => {
    const ast = parseUnquoted(target.findSql('b-1'));
    const dateFilters = conjuncts(ast.where).filter((node) => [...walk(node)].some((child) => child.type === 'column_ref' && identifier(child.column) === base.dateKey));
    expect(dateFilters).toHaveLength(target.kind === 'parquet' ? 1 : 0);
  });
});
