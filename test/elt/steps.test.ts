/**
 * constructs/elt/steps.ts: reading and splitting the SQL files, rendering with validation, and the
 * Step Functions `States.Format` form (escaping checked against a reference evaluator of the documented
 * grammar, against aws-cdk-lib's own quoting, and through CDK's JsonPath rendering).
 */
import { CfnParameter, Lazy, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  compactSql,
  DEFAULT_DAY_PATH,
  DEFAULT_FEATURE_EVENTS,
  ELT_PLACEHOLDERS,
  ELT_STEP_TARGETS,
  ELT_TARGETS,
  MAX_LATENESS_DAYS,
  eltSteps,
  EltSqlError,
  escapeStatesFormatLiteral,
  placeholdersIn,
  renderStatement,
  RUNTIME_PLACEHOLDERS,
  splitStatements,
  STEP_FUNCTIONS_TEMPLATE,
  SYNTH_PLACEHOLDERS,
  validateDay,
} from '../../constructs/elt/steps';
import { constructStack, templateOf } from '../support/construct-stack';
import { ANALYTICS_DATABASE, CURATED_DATABASE, parse, RAW_DATABASE, SAMPLE_DAY } from './sql-checks';
import { evaluateStatesFormat, IntrinsicError } from './states-format';

const DATABASES = { rawDatabase: RAW_DATABASE, curatedDatabase: CURATED_DATABASE, analyticsDatabase: ANALYTICS_DATABASE };
const STATEMENTS = eltSteps().flatMap((step) => step.statements.map((statement, index) => [`${step.target} #${index + 1}`, statement] as const));

describe('eltSteps', () => {
  it('lists every target with its statements in file order, placeholders left in place: events_curated first', () => {
    const steps = eltSteps();
    expect(steps.map((step) => step.target)).toEqual([...ELT_STEP_TARGETS]);
    expect(ELT_STEP_TARGETS).toEqual(['events_curated', ...ELT_TARGETS]);
    for (const step of steps) {
      const database = step.target === 'events_curated' ? 'curated_database' : 'analytics_database';
      expect(step.statements).toHaveLength(2);
      expect(step.statements[0]).toMatch(new RegExp(`^DELETE FROM \\{\\{${database}\\}\\}\\.${step.target}\\n`));
      expect(step.statements[1]).toMatch(new RegExp(`^INSERT INTO \\{\\{${database}\\}\\}\\.${step.target} \\(`));
    }
  });

  it('the metrics read events_curated, never raw; only the curated step reads raw events', () => {
    for (const step of eltSteps()) {
      const reads = step.statements.join('\n');
      if (step.target === 'events_curated') {
        expect(reads).toContain('FROM {{raw_database}}.events\n');
      } else {
        expect(reads).not.toContain('{{raw_database}}');
        expect(reads).toContain('FROM {{curated_database}}.events_curated\n');
      }
    }
  });

  it('uses only the declared placeholders: day at run time, the rest at synth', () => {
    expect([...RUNTIME_PLACEHOLDERS]).toEqual(['day']);
    expect([...SYNTH_PLACEHOLDERS]).toEqual(['raw_database', 'curated_database', 'analytics_database', 'feature_events', 'lateness_days']);
    const used = new Set(STATEMENTS.flatMap(([, statement]) => placeholdersIn(statement)));
    expect([...used].sort()).toEqual([...ELT_PLACEHOLDERS].sort());
  });
});

describe('splitStatements', () => {
  it('splits on "-- statement" lines and drops the header', () => {
    const text = '-- Title\n--\n-- text\n\n-- statement: one\nDELETE FROM a.b WHERE x = 1\n\n-- statement\nINSERT INTO a.b (x) SELECT 1\n';
    expect(splitStatements(text)).toEqual(['DELETE FROM a.b WHERE x = 1', 'INSERT INTO a.b (x) SELECT 1']);
  });

  it('refuses files Athena could not run one statement at a time', () => {
    expect(() => splitStatements('-- only a header\n')).toThrow(/no statements/);
    expect(() => splitStatements('SELECT 1\n-- statement\nSELECT 2')).toThrow(/SQL before the first/);
    expect(() => splitStatements('-- statement\n-- just a comment\n')).toThrow(/statement 1 is empty/);
    expect(() => splitStatements('-- statement\nDELETE FROM a.b;\nDELETE FROM a.c')).toThrow(/contains ";"/);
    expect(() => splitStatements("-- statement\nSELECT ';' AS x")).not.toThrow();
    expect(() => splitStatements('-- statement\nSELECT {{month}}')).toThrow(/unknown placeholder\(s\) \{\{month\}\}/);
  });
});

describe('renderStatement', () => {
  const sql = "SELECT '{{day}}' FROM {{raw_database}}.events, {{analytics_database}}.t WHERE e IN ({{feature_events}})";

  it('substitutes every placeholder', () => {
    expect(renderStatement(sql, { day: '2024-02-29', ...DATABASES })).toBe(
      `SELECT '2024-02-29' FROM ${RAW_DATABASE}.events, ${ANALYTICS_DATABASE}.t WHERE e IN (${DEFAULT_FEATURE_EVENTS.map((event) => `'${event}'`).join(', ')})`,
    );
  });

  it.each([
    ['2026-1-05', /must be a date written yyyy-mm-dd/],
    ['20260105', /must be a date written yyyy-mm-dd/],
    ["2026-01-05' OR '1'='1", /must be a date written yyyy-mm-dd/],
    [' 2026-01-05', /must be a date written yyyy-mm-dd/],
    ['2026-02-29', /not a calendar date/],
    ['2100-02-29', /not a calendar date/],
    ['2026-04-31', /not a calendar date/],
    ['2026-13-01', /not a calendar date/],
    ['2026-00-10', /not a calendar date/],
    ['0000-01-01', /not a calendar date/],
  ])('rejects the day %j', (day, message) => {
    expect(() => renderStatement(sql, { day, ...DATABASES })).toThrow(EltSqlError);
    expect(() => renderStatement(sql, { day, ...DATABASES })).toThrow(message);
  });

  it('accepts real dates, leap days included', () => {
    for (const day of ['2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01']) expect(validateDay(day)).toBe(day);
  });

  it.each([
    ['lakehouse-dev-raw', 'rawDatabase'],
    ['Lakehouse_dev_raw', 'rawDatabase'],
    ['1lakehouse', 'rawDatabase'],
    ['raw; DROP TABLE x', 'rawDatabase'],
    ['', 'analyticsDatabase'],
    ['a'.repeat(256), 'analyticsDatabase'],
    ['lakehouse-dev-curated', 'curatedDatabase'],
    [undefined, 'curatedDatabase'],
    [7, 'curatedDatabase'],
  ])('rejects the database name %j', (name, field) => {
    const options = { day: SAMPLE_DAY, ...DATABASES, [field]: name } as Parameters<typeof renderStatement>[1];
    expect(() => renderStatement(sql, options)).toThrow(new RegExp(`${field} ".*" is not a snake_case database name`));
  });

  it('does not accept CDK tokens at run time (only the Step Functions template does)', () => {
    const token = Lazy.string({ produce: () => 'lakehouse_dev_raw' });
    expect(() => renderStatement(sql, { day: SAMPLE_DAY, ...DATABASES, rawDatabase: token })).toThrow(/rawDatabase/);
  });

  it.each([
    [[], /1 to 100 event names, got 0/],
    [['Report'], /not an event name/],
    [["x') OR ('1"], /not an event name/],
    [['feature_used'], /feature_used is always included/],
    [['a', 'a'], /listed twice/],
  ])('rejects the feature events %j', (featureEvents, message) => {
    expect(() => renderStatement(sql, { day: SAMPLE_DAY, ...DATABASES, featureEvents })).toThrow(message);
  });

  it('renders the lateness window as whole days, 7 by default (the events contract default)', () => {
    const window = "SELECT DATE '{{day}}' - INTERVAL '{{lateness_days}}' DAY";
    expect(renderStatement(window, { day: SAMPLE_DAY, ...DATABASES })).toBe(`SELECT DATE '${SAMPLE_DAY}' - INTERVAL '7' DAY`);
    expect(renderStatement(window, { day: SAMPLE_DAY, ...DATABASES, latenessDays: 0 })).toBe(`SELECT DATE '${SAMPLE_DAY}' - INTERVAL '0' DAY`);
    expect(renderStatement(window, { day: SAMPLE_DAY, ...DATABASES, latenessDays: MAX_LATENESS_DAYS })).toContain(`'${MAX_LATENESS_DAYS}'`);
  });

  it.each([[-1], [1.5], [MAX_LATENESS_DAYS + 1], [Number.NaN], ['7']])('rejects the lateness window %j', (latenessDays) => {
    const options = { day: SAMPLE_DAY, ...DATABASES, latenessDays: latenessDays as number };
    expect(() => renderStatement('SELECT 1', options)).toThrow(EltSqlError);
    expect(() => renderStatement('SELECT 1', options)).toThrow(new RegExp(`latenessDays must be a whole number of days from 0 to ${MAX_LATENESS_DAYS}`));
    expect(() => STEP_FUNCTIONS_TEMPLATE('SELECT 1', options)).toThrow(/latenessDays/);
  });

  it('rejects a placeholder it does not know', () => {
    expect(() => renderStatement('SELECT {{month}}', { day: SAMPLE_DAY, ...DATABASES })).toThrow(/unknown placeholder \{\{month\}\}/);
  });
});

describe('compactSql', () => {
  it('drops comments and collapses whitespace outside quotes only', () => {
    const sql = "SELECT 'a  -- not a comment', \"x  y\" -- a comment\n  FROM  t /* block\n comment */ WHERE s = 'it''s  '\n";
    expect(compactSql(sql)).toBe("SELECT 'a  -- not a comment', \"x  y\" FROM t WHERE s = 'it''s  '");
  });

  it.each(STATEMENTS)('keeps the meaning of %s (same parse tree)', (_name, statement) => {
    const rendered = renderStatement(statement, { day: SAMPLE_DAY, ...DATABASES });
    expect(parse(compactSql(rendered))).toEqual(parse(rendered));
  });
});

describe('escapeStatesFormatLiteral', () => {
  it('escapes the four reserved characters as the developer guide lists them', () => {
    expect(escapeStatesFormatLiteral("'")).toBe("\\'");
    expect(escapeStatesFormatLiteral('{')).toBe('\\{');
    expect(escapeStatesFormatLiteral('}')).toBe('\\}');
    expect(escapeStatesFormatLiteral('\\')).toBe('\\\\');
    expect(escapeStatesFormatLiteral("it's {x} C:\\tmp")).toBe("it\\'s \\{x\\} C:\\\\tmp");
  });

  it('round-trips any text through the documented States.Format grammar', () => {
    // Deterministic pseudo-random strings over an alphabet dense in reserved characters.
    const alphabet = ["'", '{', '}', '\\', '{}', '\\{', "\\'", 'a', ' ', '$', '%', '"', '-'];
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let round = 0; round < 500; round += 1) {
      const text = Array.from({ length: next() % 24 }, () => alphabet[next() % alphabet.length]).join('');
      expect(evaluateStatesFormat(`States.Format('${escapeStatesFormatLiteral(text)}')`, {}), text).toBe(text);
    }
  });

  it("agrees with aws-cdk-lib's quoting of a States.Format literal wherever that quoting is complete (no braces)", () => {
    for (const text of ["it's", 'C:\\path\\', "\\'", "SELECT date_format(x, '%Y-%m-%d')", "a''b\\\\c"]) {
      const cdk = sfn.JsonPath.format(text);
      const expression = Stack.of(new Stack()).resolve(cdk) as string;
      expect(expression).toBe(`States.Format('${escapeStatesFormatLiteral(text)}')`);
    }
  });

  it('the reference evaluator rejects what the interpreter rejects', () => {
    expect(() => evaluateStatesFormat("States.Format('a\\nb')", {})).toThrow(IntrinsicError); // open escape
    expect(() => evaluateStatesFormat("States.Format('it's')", {})).toThrow(IntrinsicError); // unescaped quote
    expect(() => evaluateStatesFormat("States.Format('{x}')", {})).toThrow(IntrinsicError); // unescaped brace
    expect(() => evaluateStatesFormat("States.Format('{} {}', $.day)", { day: 'x' })).toThrow(/2 \{\} but 1 arguments/);
  });
});

describe('STEP_FUNCTIONS_TEMPLATE', () => {
  const input = { day: SAMPLE_DAY };

  it.each(STATEMENTS)('%s: States.Format with the execution input gives exactly the rendered, compacted statement', (_name, statement) => {
    const template = STEP_FUNCTIONS_TEMPLATE(statement, DATABASES);
    expect(template.args).toEqual(Array.from({ length: statement.split('{{day}}').length - 1 }, () => DEFAULT_DAY_PATH));
    expect(template.format).not.toMatch(/[\n\r\t]/);
    expect(template.format).not.toContain('{{');
    expect(template.expression).toBe(`States.Format('${template.format}', ${template.args.join(', ')})`);
    expect(evaluateStatesFormat(template.expression, input)).toBe(compactSql(renderStatement(statement, { day: SAMPLE_DAY, ...DATABASES })));
  });

  it('substitutes the databases and feature events at synth and escapes the feature list quotes', () => {
    const statement = eltSteps().find((step) => step.target === 'feature_adoption')!.statements[1];
    const template = STEP_FUNCTIONS_TEMPLATE(statement, { ...DATABASES, featureEvents: ['export_csv'] });
    expect(template.format).toContain(`FROM ${CURATED_DATABASE}.events_curated`);
    expect(template.format).toContain("event IN (\\'feature_used\\', \\'export_csv\\')");
    expect(evaluateStatesFormat(template.expression, input)).toContain("event IN ('feature_used', 'export_csv')");
  });

  it('reads the day from another path when told to (for example the execution input in the context object)', () => {
    const template = STEP_FUNCTIONS_TEMPLATE("DELETE FROM {{analytics_database}}.t WHERE d = DATE '{{day}}'", { ...DATABASES, dayPath: '$$.Execution.Input.day' });
    expect(template.expression).toBe(`States.Format('DELETE FROM ${ANALYTICS_DATABASE}.t WHERE d = DATE \\'{}\\'', $$.Execution.Input.day)`);
    expect(evaluateStatesFormat(template.expression, {}, { Execution: { Input: input } })).toBe(`DELETE FROM ${ANALYTICS_DATABASE}.t WHERE d = DATE '${SAMPLE_DAY}'`);
    expect(() => STEP_FUNCTIONS_TEMPLATE('SELECT 1', { ...DATABASES, dayPath: '$.day) , States.UUID(' })).toThrow(/dayPath/);
  });

  it('keeps literal braces, quotes and backslashes of the SQL as text, never as arguments', () => {
    const template = STEP_FUNCTIONS_TEMPLATE("SELECT '{}' AS a, '\\{x}' AS b, regexp_like(s, '\\d{4}') FROM t WHERE dt = '{{day}}'", DATABASES);
    expect(template.args).toEqual(['$.day']);
    expect(evaluateStatesFormat(template.expression, input)).toBe(`SELECT '{}' AS a, '\\{x}' AS b, regexp_like(s, '\\d{4}') FROM t WHERE dt = '${SAMPLE_DAY}'`);
  });

  it('validates the synth-time values like renderStatement', () => {
    expect(() => STEP_FUNCTIONS_TEMPLATE('SELECT 1', { ...DATABASES, rawDatabase: 'lakehouse-dev-raw' })).toThrow(/rawDatabase/);
    expect(() => STEP_FUNCTIONS_TEMPLATE('SELECT 1', { ...DATABASES, featureEvents: [] })).toThrow(/featureEvents/);
    expect(() => STEP_FUNCTIONS_TEMPLATE('SELECT {{month}}', DATABASES)).toThrow(/unknown placeholder/);
    expect(() => STEP_FUNCTIONS_TEMPLATE("SELECT 'a\nb'", DATABASES)).toThrow(/control character/);
  });

  it('survives a CDK state machine definition: a Ref database joined at deploy, JSON escaping, then the interpreter', () => {
    const stack = constructStack();
    const analyticsDatabase = new CfnParameter(stack, 'AnalyticsDatabase').valueAsString;
    const statement = eltSteps().find((step) => step.target === 'retention_cohorts')!.statements[0];
    const template = STEP_FUNCTIONS_TEMPLATE(statement, { ...DATABASES, analyticsDatabase });
    const query = new sfn.Pass(stack, 'Query', { parameters: { QueryString: sfn.JsonPath.stringAt(template.expression) } });
    new sfn.StateMachine(stack, 'Elt', { definitionBody: sfn.DefinitionBody.fromChainable(query) });
    const [machine] = Object.values(templateOf(stack).findResources('AWS::StepFunctions::StateMachine'));
    const join = machine.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
    // What CloudFormation does at deploy: join the parts, the Ref replaced by the parameter's value.
    const definition = join[1].map((part) => (typeof part === 'string' ? part : 'lakehouse_dev_analytics')).join(join[0]);
    const expression = JSON.parse(definition).States.Query.Parameters['QueryString.$'] as string;
    expect(evaluateStatesFormat(expression, input)).toBe(
      compactSql(renderStatement(statement, { day: SAMPLE_DAY, ...DATABASES, analyticsDatabase: 'lakehouse_dev_analytics' })),
    );
  });
});
