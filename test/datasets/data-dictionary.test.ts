import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { partitionKeys, valueKeys, type DatasetDefinition } from '../../constructs/datasets';
import { glueDatabaseName, renderDataDictionary } from '../../scripts/data-dictionary';
import { REPO_ROOT } from '../support/app-context';

const DOC_PATH = join(REPO_ROOT, 'docs', 'data-dictionary.md');
const rendered = renderDataDictionary(DATASETS);

/** The part of the document about one dataset: from its heading to the next dataset heading. */
function section(doc: string, dataset: DatasetDefinition): string {
  const heading = `\n## \`${dataset.name}\`\n`;
  const start = doc.indexOf(heading);
  expect(start, `no section for dataset ${dataset.name}`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + heading.length);
  return doc.slice(start, end === -1 ? undefined : end);
}

function exampleSql(doc: string, dataset: DatasetDefinition): string {
  const match = /```sql\n([\s\S]*?)```/.exec(section(doc, dataset));
  expect(match, `no example query for ${dataset.name}`).not.toBeNull();
  return match![1];
}

function columnRow(doc: string, dataset: DatasetDefinition, column: string): string {
  const row = section(doc, dataset)
    .split('\n')
    .find((line) => line.startsWith(`| \`${column}\` |`) && line.split('|').length === 6);
  expect(row, `column ${column} of ${dataset.name} is not in its column table`).toBeDefined();
  return row!;
}

interface Condition {
  readonly column: string;
  readonly operator: string;
}

/** Name of a column reference in node-sql-parser's AST (the Trino grammar wraps it in an expression). */
function columnName(node: any): string | undefined {
  if (node?.type !== 'column_ref') return undefined;
  return typeof node.column === 'string' ? node.column : node.column?.expr?.value;
}

/** The top-level AND-ed conditions of a WHERE clause, as column and operator. */
function conditions(where: any): Condition[] {
  if (where?.type !== 'binary_expr') return [];
  if (where.operator === 'AND') return [...conditions(where.left), ...conditions(where.right)];
  const column = columnName(where.left);
  return column === undefined ? [] : [{ column, operator: where.operator }];
}

function parseExample(sql: string): { db: string; table: string; where: Condition[] } {
  const ast = new Parser().astify(sql, { database: 'trino' }) as any;
  const statement = Array.isArray(ast) ? ast[0] : ast;
  expect(statement.type).toBe('select');
  return { db: statement.from[0].db, table: statement.from[0].table, where: conditions(statement.where) };
}

describe('docs/data-dictionary.md', () => {
  it('is up to date with the dataset declarations', () => {
    const committed = readFileSync(DOC_PATH, 'utf8');
    expect(committed, 'docs/data-dictionary.md is stale: run `npm run docs:catalog` and commit the result').toBe(rendered);
  });

  it('says it is generated and must not be edited by hand', () => {
    expect(rendered).toContain('npm run docs:catalog');
    expect(rendered).toContain('Do not edit by hand');
  });

  it.each(DATASETS.map((dataset) => [dataset.name, dataset] as const))('documents %s and every one of its columns', (_, dataset) => {
    expect(rendered).toContain(`| [\`${dataset.name}\`](#${dataset.name}) |`);
    expect(section(rendered, dataset)).toContain(dataset.description);
    for (const column of dataset.columns) {
      const row = columnRow(rendered, dataset, column.name);
      expect(row).toContain(column.description);
    }
  });

  it.each(DATASETS.map((dataset) => [dataset.name, dataset] as const))('%s: the example query prunes partitions', (_, dataset) => {
    const example = parseExample(exampleSql(rendered, dataset));
    expect(`${example.db}.${example.table}`).toBe(`${glueDatabaseName('prod', dataset.zone)}.${dataset.name}`);
    expect(example.db).toBe(`lakehouse_prod_${dataset.zone}`);
    const filtered = new Set(example.where.map((condition) => condition.column));
    if (dataset.format === 'iceberg') {
      const source = dataset.partitioning.time.source;
      expect(source.kind).toBe('event-time');
      if (source.kind === 'event-time') expect(filtered, `${dataset.name} filters on ${source.column}`).toContain(source.column);
    } else {
      for (const key of partitionKeys(dataset)) expect(filtered, `${dataset.name} filters on ${key.name}`).toContain(key.name);
      for (const key of valueKeys(dataset).filter((candidate) => candidate.kind === 'injected')) {
        const operators = example.where.filter((condition) => condition.column === key.name).map((condition) => condition.operator);
        expect(operators.every((operator) => operator === '=' || operator === 'IN'), `injected key ${key.name} needs = or IN`).toBe(true);
      }
    }
  });

  it('marks every pii column, and only those', () => {
    let piiColumns = 0;
    for (const dataset of DATASETS) {
      for (const column of dataset.columns) {
        const row = columnRow(rendered, dataset, column.name);
        if (column.classification === 'pii') {
          piiColumns += 1;
          expect(row, `${dataset.name}.${column.name} is pii`).toContain('| **pii** |');
        } else {
          expect(row, `${dataset.name}.${column.name} is ${column.classification}`).toContain(`| ${column.classification} |`);
        }
      }
    }
    expect(piiColumns).toBeGreaterThan(0);
  });

  it('states the accepted window and error prefix of event-time partitioned Parquet datasets', () => {
    for (const dataset of DATASETS.filter((candidate) => candidate.format === 'parquet' && candidate.partitioning.time.source.kind === 'event-time')) {
      const text = section(rendered, dataset);
      expect(text).toContain('Accepted window');
      expect(text).toContain(`errors/${dataset.name}/`);
    }
  });
});
