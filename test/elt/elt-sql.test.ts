/**
 * The ELT's SQL, checked offline without Athena (see sql-checks.ts for what the parser can and cannot
 * prove): every statement parses as Trino; reads name only columns of events (from its contract) and
 * filter the dt partition to a fixed range; inserts write the target's declared columns in order; and
 * each DELETE removes exactly the rows its INSERT writes for the day, so re-running a day replaces it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { ELT_TARGETS, eltSqlFile, eltSqlFiles, eltSteps, renderStatement, type EltStep } from '../../constructs/elt/steps';
import {
  ANALYTICS_DATABASE,
  deleteColumnProblems,
  eventsReads,
  idempotencyProblems,
  insertShapeProblems,
  parse,
  partitionProblems,
  RAW_DATABASE,
  readColumnProblems,
  SAMPLE_DAY,
} from './sql-checks';

const render = (sql: string, day = SAMPLE_DAY) => renderStatement(sql, { day, rawDatabase: RAW_DATABASE, analyticsDatabase: ANALYTICS_DATABASE });
const STEPS = eltSteps();
const dataset = (target: string) => {
  const found = analyticsDatasets.find((candidate) => candidate.name === target);
  if (!found) throw new Error(`no dataset ${target}`);
  return found;
};
/** The header comment of a file, without comment markers. */
const header = (target: (typeof ELT_TARGETS)[number]) => {
  const lines = fs.readFileSync(eltSqlFile(target), 'utf8').split('\n');
  return lines.slice(0, lines.findIndex((line) => line.startsWith('-- statement'))).map((line) => line.replace(/^--\s?/, ''));
};

describe('ELT targets', () => {
  it('covers exactly the Iceberg datasets of the analytics zone, in declaration order', () => {
    const iceberg = analyticsDatasets.filter((candidate) => candidate.format === 'iceberg' && candidate.ingestion === 'batch').map((candidate) => candidate.name);
    expect([...ELT_TARGETS]).toEqual(iceberg);
    expect(STEPS.map((step) => step.target)).toEqual(iceberg);
  });

  it('ships one .sql file per target, and only those', () => {
    const dir = path.join(__dirname, '../../constructs/elt/sql');
    const files = fs.readdirSync(dir).filter((file) => file.endsWith('.sql')).map((file) => `sql/${file}`).sort();
    expect(eltSqlFiles().sort()).toEqual(files);
  });
});

describe.each(STEPS.map((step) => [step.target, step] as const))('%s', (target, step: EltStep) => {
  const table = dataset(target);
  const rendered = step.statements.map((statement) => render(statement));
  const asts = rendered.map(parse);

  it('starts with a comment block: what it computes, how it is idempotent, how to adapt', () => {
    const lines = header(target);
    expect(lines[0]).toMatch(new RegExp(`ELT into \\{\\{analytics_database\\}\\}\\.${target}$`));
    for (const section of ['Computes: ', 'Idempotency: ', 'Adapt: ', 'Placeholders: ']) expect(lines.some((line) => line.startsWith(section)), section).toBe(true);
  });

  it('is a DELETE then an INSERT … SELECT, each parsing as Trino SQL (Athena engine 3)', () => {
    expect(asts.map((ast) => ast.type)).toEqual(['delete', 'insert']);
  });

  it('every statement is for the day: it uses {{day}} and nothing else is left to fill', () => {
    for (const [index, statement] of step.statements.entries()) {
      expect(statement).toContain('{{day}}');
      expect(rendered[index]).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('the DELETE removes rows of this target only, by its own columns, and reads nothing', () => {
    const [remove] = asts;
    expect(remove.table).toEqual([expect.objectContaining({ db: ANALYTICS_DATABASE, table: target })]);
    expect(deleteColumnProblems(remove, table)).toEqual([]);
    expect(eventsReads(remove)).toEqual([]);
  });

  it("the INSERT lists the target's declared columns in order and produces them in that order", () => {
    expect(insertShapeProblems(asts[1], table)).toEqual([]);
  });

  it('the INSERT references only columns, partition keys and struct fields of events, or names it defines', () => {
    expect(readColumnProblems(asts[1])).toEqual([]);
  });

  it(`every read of events is from ${RAW_DATABASE} and filters dt to a fixed range (partition pruning)`, () => {
    expect(eventsReads(asts[1]).length).toBeGreaterThan(0);
    expect(partitionProblems(asts[1], rendered[1])).toEqual([]);
  });

  it('is idempotent per day: the DELETE removes exactly the rows the INSERT writes for the day', () => {
    expect(idempotencyProblems(asts[0], asts[1], table)).toEqual([]);
  });

  it('a different day renders different partitions and keys (the day is really the parameter)', () => {
    const other = step.statements.map((statement) => render(statement, '2025-12-31'));
    expect(other).not.toEqual(rendered);
    for (const sql of other) expect(sql).not.toContain(SAMPLE_DAY);
  });

  it('the checks see this file: shifting the DELETE by a day, or dropping a dt filter, is reported', () => {
    const shifted = parse(render(step.statements[0].replaceAll("DATE '{{day}}'", "(DATE '{{day}}' - INTERVAL '1' DAY)")));
    expect(idempotencyProblems(shifted, asts[1], table).length).toBeGreaterThan(0);
    const unfiltered = render(step.statements[1].replace(/\bdt (=|BETWEEN)/, 'hour $1'));
    expect(partitionProblems(parse(unfiltered), unfiltered).length).toBeGreaterThan(0);
    const misspelt = render(step.statements[1].replaceAll(/\buser_id\b/g, 'user_key'));
    expect(readColumnProblems(parse(misspelt)).length).toBeGreaterThan(0);
  });
});

describe('targets whose keys need more than one condition', () => {
  it('monthly_active_users replaces the month of the day and reads all of that month', () => {
    const [remove, insert] = STEPS.find((step) => step.target === 'monthly_active_users')!.statements.map((statement) => render(statement));
    expect(remove).toContain("activity_month = date_trunc('month', DATE '2026-03-15')");
    expect(insert).toContain("dt BETWEEN date_format(date_trunc('month', DATE '2026-03-15'), '%Y-%m-%d')");
    expect(insert).toContain("AND date_format(last_day_of_month(DATE '2026-03-15'), '%Y-%m-%d')");
  });

  it('retention_cohorts replaces the rows with cohort_date + day_number = day, for 31 cohorts', () => {
    const step = STEPS.find((candidate) => candidate.target === 'retention_cohorts')!;
    const [remove, insert] = step.statements.map((statement) => parse(render(statement)));
    expect(idempotencyProblems(remove, insert, dataset('retention_cohorts'))).toEqual([]);
    // Widening only the DELETE (or only the sign-up scan) breaks the agreement.
    const wider = parse(render(step.statements[0].replace("INTERVAL '30' DAY", "INTERVAL '60' DAY")));
    expect(idempotencyProblems(wider, insert, dataset('retention_cohorts'))).toEqual([expect.stringMatching(/cohort_date comes from dt/)]);
    const otherNumber = parse(render(step.statements[0].replace("day_number = date_diff('day', cohort_date, DATE '{{day}}')", "day_number = 7")));
    expect(idempotencyProblems(otherNumber, insert, dataset('retention_cohorts'))).toEqual([expect.stringMatching(/produces day_number/)]);
  });

  it('feature_adoption renders the configured feature events into its IN list', () => {
    const insert = STEPS.find((step) => step.target === 'feature_adoption')!.statements[1];
    const sql = renderStatement(insert, { day: SAMPLE_DAY, rawDatabase: RAW_DATABASE, analyticsDatabase: ANALYTICS_DATABASE, featureEvents: ['export_csv'] });
    expect(sql).toContain("event IN ('feature_used', 'export_csv')");
    expect(readColumnProblems(parse(sql))).toEqual([]);
    expect(render(insert)).toContain("event IN ('feature_used', 'report_exported', 'dashboard_shared', 'invite_sent')");
  });
});
