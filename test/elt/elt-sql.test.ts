/**
 * The ELT's SQL, checked offline without Athena (see sql-checks.ts for what the parser can and cannot
 * prove): every statement parses as Trino; the curated step reads only columns of raw events and filters
 * dt to a fixed range; the metrics read only columns of events_curated and filter event_date to a fixed
 * range; inserts write the target's declared columns in order; and each DELETE removes exactly the rows
 * its INSERT writes for the day, so re-running a day replaces it (executed on DuckDB in
 * test/local-lake/elt.test.ts and curated.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { analyticsDatasets } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { CURATED_TARGET, ELT_TARGETS, eltSqlFile, eltSqlFiles, eltSteps, renderStatement, type EltStep, type EltStepTarget } from '../../constructs/elt/steps';
import {
  ANALYTICS_DATABASE,
  CURATED,
  CURATED_DATABASE,
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

const DATABASES = { rawDatabase: RAW_DATABASE, curatedDatabase: CURATED_DATABASE, analyticsDatabase: ANALYTICS_DATABASE };
const render = (sql: string, day = SAMPLE_DAY) => renderStatement(sql, { day, ...DATABASES });
const STEPS = eltSteps();
const METRIC_STEPS = STEPS.filter((step) => step.target !== CURATED_TARGET);
const dataset = (target: string) => {
  const found = analyticsDatasets.find((candidate) => candidate.name === target);
  if (!found) throw new Error(`no dataset ${target}`);
  return found;
};
/** The header comment of a file, without comment markers. */
const header = (target: EltStepTarget) => {
  const lines = fs.readFileSync(eltSqlFile(target), 'utf8').split('\n');
  return lines.slice(0, lines.findIndex((line) => line.startsWith('-- statement'))).map((line) => line.replace(/^--\s?/, ''));
};

describe('ELT targets', () => {
  it('covers events_curated, then exactly the Iceberg datasets of the analytics zone, in declaration order', () => {
    const iceberg = analyticsDatasets.filter((candidate) => candidate.format === 'iceberg' && candidate.ingestion === 'batch').map((candidate) => candidate.name);
    expect([...ELT_TARGETS]).toEqual(iceberg);
    expect(STEPS.map((step) => step.target)).toEqual([CURATED_TARGET, ...iceberg]);
  });

  it('ships one .sql file per target, and only those', () => {
    const dir = path.join(__dirname, '../../constructs/elt/sql');
    const files = fs.readdirSync(dir).filter((file) => file.endsWith('.sql')).map((file) => `sql/${file}`).sort();
    expect(eltSqlFiles().sort()).toEqual(files);
  });
});

describe.each(METRIC_STEPS.map((step) => [step.target, step] as const))('%s', (target, step: EltStep) => {
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

  it('the INSERT references only columns and struct fields of events_curated, or names it defines', () => {
    expect(readColumnProblems(asts[1], CURATED)).toEqual([]);
  });

  it(`reads only ${CURATED_DATABASE}.events_curated (never raw), each read filtering event_date to a fixed range (partition pruning)`, () => {
    expect(eventsReads(asts[1], CURATED).length).toBeGreaterThan(0);
    expect(eventsReads(asts[1])).toEqual([]);
    expect(partitionProblems(asts[1], rendered[1], CURATED, CURATED_DATABASE)).toEqual([]);
  });

  it('is idempotent per day: the DELETE removes exactly the rows the INSERT writes for the day', () => {
    expect(idempotencyProblems(asts[0], asts[1], table, CURATED)).toEqual([]);
  });

  it('a different day renders different partitions and keys (the day is really the parameter)', () => {
    const other = step.statements.map((statement) => render(statement, '2025-12-31'));
    expect(other).not.toEqual(rendered);
    for (const sql of other) expect(sql).not.toContain(SAMPLE_DAY);
  });

  it('the checks see this file: shifting the DELETE by a day, or dropping a dt filter, is reported', () => {
    const shifted = parse(render(step.statements[0].replaceAll("DATE '{{day}}'", "(DATE '{{day}}' - INTERVAL '1' DAY)")));
    expect(idempotencyProblems(shifted, asts[1], table, CURATED).length).toBeGreaterThan(0);
    const unfiltered = render(step.statements[1].replace(/\bevent_date (=|BETWEEN)/, 'event_time $1'));
    expect(partitionProblems(parse(unfiltered), unfiltered, CURATED, CURATED_DATABASE).length).toBeGreaterThan(0);
    const misspelt = render(step.statements[1].replaceAll(/\buser_id\b/g, 'user_key'));
    expect(readColumnProblems(parse(misspelt), CURATED).length).toBeGreaterThan(0);
  });
});

describe('targets whose keys need more than one condition', () => {
  it('monthly_active_users replaces the month of the day and reads all of that month', () => {
    const [remove, insert] = STEPS.find((step) => step.target === 'monthly_active_users')!.statements.map((statement) => render(statement));
    expect(remove).toContain("activity_month = date_trunc('month', DATE '2026-03-15')");
    expect(insert).toContain("event_date BETWEEN date_trunc('month', DATE '2026-03-15') AND last_day_of_month(DATE '2026-03-15')");
  });

  it('retention_cohorts replaces the rows with cohort_date + day_number = day, for 31 cohorts', () => {
    const step = STEPS.find((candidate) => candidate.target === 'retention_cohorts')!;
    const [remove, insert] = step.statements.map((statement) => parse(render(statement)));
    expect(idempotencyProblems(remove, insert, dataset('retention_cohorts'), CURATED)).toEqual([]);
    // Widening only the DELETE (or only the sign-up scan) breaks the agreement.
    const wider = parse(render(step.statements[0].replace("INTERVAL '30' DAY", "INTERVAL '60' DAY")));
    expect(idempotencyProblems(wider, insert, dataset('retention_cohorts'), CURATED)).toEqual([expect.stringMatching(/cohort_date comes from event_date/)]);
    const otherNumber = parse(render(step.statements[0].replace("day_number = date_diff('day', cohort_date, DATE '{{day}}')", "day_number = 7")));
    expect(idempotencyProblems(otherNumber, insert, dataset('retention_cohorts'), CURATED)).toEqual([expect.stringMatching(/produces day_number/)]);
  });

  it('feature_adoption renders the configured feature events into its IN list', () => {
    const insert = STEPS.find((step) => step.target === 'feature_adoption')!.statements[1];
    const sql = renderStatement(insert, { day: SAMPLE_DAY, ...DATABASES, featureEvents: ['export_csv'] });
    expect(sql).toContain("event IN ('feature_used', 'export_csv')");
    expect(readColumnProblems(parse(sql), CURATED)).toEqual([]);
    expect(render(insert)).toContain("event IN ('feature_used', 'report_exported', 'dashboard_shared', 'invite_sent')");
  });
});

describe('events_curated (the first step)', () => {
  const step = STEPS[0];
  const rendered = step.statements.map((statement) => render(statement));
  const asts = rendered.map(parse);
  const window = `DATE '${SAMPLE_DAY}' - INTERVAL '7' DAY`;

  it('is the first step, a DELETE then an INSERT … SELECT, each parsing as Trino SQL', () => {
    expect(step.target).toBe(CURATED_TARGET);
    expect(asts.map((ast) => ast.type)).toEqual(['delete', 'insert']);
    const lines = header(CURATED_TARGET);
    expect(lines[0]).toBe('Curated events: ELT from {{raw_database}}.events into {{curated_database}}.events_curated');
    for (const section of ['Computes: ', 'Which raw partitions: ', 'Cleaning ', 'Dedupe: ', 'Idempotency: ', 'Adapt: ', 'Placeholders: ']) {
      expect(lines.some((line) => line.startsWith(section)), section).toBe(true);
    }
  });

  it("the INSERT writes events_curated's declared columns in order", () => {
    expect(insertShapeProblems(asts[1], eventsCurated, CURATED_DATABASE)).toEqual([]);
  });

  it('carries every column of raw events, with the same type (the curated contract keeps up with the raw one)', () => {
    for (const column of events.columns) expect(eventsCurated.columns.find((candidate) => candidate.name === column.name)?.type, column.name).toBe(column.type);
  });

  it(`reads only ${RAW_DATABASE}.events, only columns of its contract, with dt bounded to the window`, () => {
    expect(eventsReads(asts[1])).toHaveLength(1);
    expect(partitionProblems(asts[1], rendered[1])).toEqual([]);
    expect(readColumnProblems(asts[1])).toEqual([]);
    expect(rendered[1]).toContain(`dt BETWEEN date_format(${window}, '%Y-%m-%d') AND '${SAMPLE_DAY}'`);
  });

  it('the DELETE removes exactly the days the INSERT writes: the day and the lateness window before it', () => {
    expect(deleteColumnProblems(asts[0], eventsCurated)).toEqual([]);
    const days = `event_date BETWEEN ${window} AND DATE '${SAMPLE_DAY}'`;
    expect(rendered[0]).toContain(`WHERE ${days}`);
    // Rows of the scanned partitions whose event_time falls on another day are left out.
    expect(rendered[1]).toContain(`WHERE ${days}`);
  });

  it('renders the lateness window given at synth', () => {
    const narrow = renderStatement(step.statements[0], { day: SAMPLE_DAY, ...DATABASES, latenessDays: 2 });
    expect(narrow).toContain(`DATE '${SAMPLE_DAY}' - INTERVAL '2' DAY`);
  });
});
