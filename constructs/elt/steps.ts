import * as fs from 'fs';
import * as path from 'path';
import { closingQuoteIndex } from '../common/sql-quotes';

/**
 * The metrics ELT's SQL: one `.sql` file per Iceberg target in `sql/`, each a short list of Athena
 * (engine 3, Trino) statements that recompute one day of the target and replace it.
 *
 * File format: a leading `--` comment block (what it computes, how it is idempotent, how to adapt it),
 * then statements, each introduced by a line starting with `-- statement` (`-- statement: what it does`).
 * Statements run one at a time (Athena runs one statement per query), in file order: first a DELETE of
 * exactly the rows the day produces, then an INSERT … SELECT of those rows. The first step,
 * `events_curated.sql`, replaces the cleaned and deduplicated events of the day and its lateness window
 * from the raw `events` partitions; every metrics step then reads `events_curated` (its `event_date`
 * partitions).
 *
 * Placeholders, written `{{name}}`:
 * - `{{day}}`: the day to process, `yyyy-mm-dd` (UTC); known only per run (RUNTIME_PLACEHOLDERS).
 * - `{{raw_database}}`, `{{curated_database}}`, `{{analytics_database}}`, `{{feature_events}}`,
 *   `{{lateness_days}}`: known at synth (SYNTH_PLACEHOLDERS).
 *
 * Two ways to fill them: `renderStatement` substitutes everything (tests, scripts, ad-hoc runs), and
 * `STEP_FUNCTIONS_TEMPLATE` substitutes the synth-time values and turns `{{day}}` into the `{}` of a
 * Step Functions `States.Format` call whose arguments are read from the execution's state.
 *
 * Packaging: the `.sql` files are read at run time relative to `__dirname`, which works from the
 * TypeScript source and from `dist/constructs/elt/`, because the build copies every
 * `constructs/**\/*.sql` next to the compiled JavaScript and the package's `files` include them.
 *
 * No AWS SDK and no CDK import: the same module can run in a Lambda handler or a script. CDK string
 * tokens are recognised by their `${Token[` encoding, as in the Iceberg DDL module.
 */

/** The dataset the ELT reads: raw events, cleaned into CURATED_TARGET first. */
export const ELT_SOURCE = 'events';

/** The curated events table: the ELT's first step writes it, the metrics steps read it. */
export const CURATED_TARGET = 'events_curated';

/** The metrics targets, in the order the ELT runs them after CURATED_TARGET (independent of each other). */
export const ELT_TARGETS = ['daily_active_users', 'monthly_active_users', 'retention_cohorts', 'feature_adoption', 'funnel_conversion'] as const;

export type EltTarget = (typeof ELT_TARGETS)[number];

/** Every table an ELT step writes: the curated events, then the metrics. */
export type EltStepTarget = typeof CURATED_TARGET | EltTarget;

/** The steps' targets in run order: curated first, because every metric reads it. */
export const ELT_STEP_TARGETS: readonly EltStepTarget[] = [CURATED_TARGET, ...ELT_TARGETS];

/** One target and the statements that replace one day of it, in order, with placeholders in place. */
export interface EltStep {
  readonly target: EltStepTarget;
  readonly statements: readonly string[];
}

/** Placeholders known only per run: the state machine passes them as `States.Format` arguments. */
export const RUNTIME_PLACEHOLDERS = ['day'] as const;

/** Placeholders substituted at synth time (or by renderStatement). */
export const SYNTH_PLACEHOLDERS = ['raw_database', 'curated_database', 'analytics_database', 'feature_events', 'lateness_days'] as const;

/** Every placeholder the `.sql` files may use; any other `{{name}}` is an error. */
export const ELT_PLACEHOLDERS: readonly string[] = [...RUNTIME_PLACEHOLDERS, ...SYNTH_PLACEHOLDERS];

/** Dedicated feature events of feature_adoption (besides `feature_used`), as in the named query. */
export const DEFAULT_FEATURE_EVENTS: readonly string[] = ['report_exported', 'dashboard_shared', 'invite_sent'];

/** How many days before the run's day the curated step re-curates: the events contract's default maxLatenessDays. */
export const DEFAULT_LATENESS_DAYS = 7;

/** The largest lateness window the curated step accepts (each run re-reads that many raw days). */
export const MAX_LATENESS_DAYS = 31;

/** Where the default `{}` argument is read from: the execution input is `{ "day": "yyyy-mm-dd" }`. */
export const DEFAULT_DAY_PATH = '$.day';

/** A line that starts a statement. */
const STATEMENT_LINE = /^--\s*statement\b/;
const PLACEHOLDER = /\{\{([a-z_]+)\}\}/g;
/** Athena and Glue database names Athena SQL can address unquoted (as `namedQueries` requires). */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;
/** Event names, as the events contract's format rule has them. */
const EVENT_NAME = /^[a-z][a-z0-9_]{0,127}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A JSONPath (`$.day`) or context path (`$$.Execution.Input.day`) of plain member names. */
const DAY_PATH = /^\$\$?(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
/** A CDK string token (`${Token[…]}`): resolved at deploy, so it is passed through unchecked. */
const UNRESOLVED = /\$\{Token\[/;
const MAX_FEATURE_EVENTS = 100;

/** Raised for a bad day, database name, feature list, lateness window, placeholder or SQL file. */
export class EltSqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EltSqlError';
  }
}

/** Synth-time values. */
export interface EltSqlSettings {
  /** Glue database holding `events` (`<project>_<env>_raw`). */
  readonly rawDatabase: string;
  /** Glue database holding `events_curated` (`<project>_<env>_curated`). */
  readonly curatedDatabase: string;
  /** Glue database holding the metrics tables (`<project>_<env>_analytics`). */
  readonly analyticsDatabase: string;
  /** Dedicated feature events of feature_adoption. @default DEFAULT_FEATURE_EVENTS */
  readonly featureEvents?: readonly string[];
  /**
   * Days before the run's day that the curated step replaces too, so that late arrivals land: the
   * events contract's `maxLatenessDays` (a whole number from 0 to MAX_LATENESS_DAYS).
   * @default DEFAULT_LATENESS_DAYS
   */
  readonly latenessDays?: number;
}

export interface RenderOptions extends EltSqlSettings {
  /** The day to process, `yyyy-mm-dd`, a real calendar date (UTC). */
  readonly day: string;
}

export interface StepFunctionsTemplateOptions extends EltSqlSettings {
  /**
   * Where each `{}` reads the day from. `$.day` reads the state's input; use `$$.Execution.Input.day`
   * if earlier states replace the input. @default DEFAULT_DAY_PATH
   */
  readonly dayPath?: string;
}

/** A statement as a Step Functions `States.Format` call. */
export interface StepFunctionsTemplate {
  /** The first argument's text, escaped for a `States.Format('…')` literal: `{}` marks each argument. */
  readonly format: string;
  /** One path per `{}`, in order (every one is the day path). */
  readonly args: readonly string[];
  /**
   * The whole call, `States.Format('<format>', $.day, …)`: use it as a `.$` field value, in CDK
   * `sfn.JsonPath.stringAt(expression)`. Do not pass `format` to `sfn.JsonPath.format`: that escapes
   * `'` and `\` again.
   */
  readonly expression: string;
}

/** The ELT steps, in ELT_STEP_TARGETS order, read from `sql/<target>.sql` (placeholders left in place). */
export function eltSteps(): EltStep[] {
  return ELT_STEP_TARGETS.map((target) => {
    const file = eltSqlFile(target);
    const statements = splitStatements(fs.readFileSync(file, 'utf8'), path.basename(file));
    return { target, statements };
  });
}

/** Absolute path of a target's `.sql` file. */
export function eltSqlFile(target: EltStepTarget): string {
  // The build copies the .sql files next to the compiled JS (see the module comment).
  return path.join(__dirname, 'sql', `${target}.sql`);
}

/** File names of the shipped SQL, relative to this module (for packaging checks). */
export function eltSqlFiles(): string[] {
  return ELT_STEP_TARGETS.map((target) => `sql/${target}.sql`);
}

/**
 * The statements of a `.sql` file: the text after each `-- statement` line up to the next one, trimmed.
 * The leading comment block is not a statement. Throws for a file without statements, an empty
 * statement, a `;` (Athena runs one statement per query), or an unknown placeholder.
 */
export function splitStatements(text: string, file = 'SQL'): string[] {
  const statements: string[][] = [];
  const header: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (STATEMENT_LINE.test(line)) statements.push([]);
    else if (statements.length > 0) statements[statements.length - 1].push(line);
    else header.push(line);
  }
  if (header.some((line) => line.trim() !== '' && !line.trim().startsWith('--'))) {
    throw new EltSqlError(`${file}: SQL before the first "-- statement" line; start each statement with such a line`);
  }
  if (statements.length === 0) throw new EltSqlError(`${file}: no statements; start each with a line "-- statement: <what it does>"`);
  return statements.map((lines, index) => {
    const statement = lines.join('\n').trim();
    const code = compactSql(statement).replace(/'(?:[^']|'')*'/g, "''");
    if (code === '') throw new EltSqlError(`${file}: statement ${index + 1} is empty`);
    if (code.includes(';')) throw new EltSqlError(`${file}: statement ${index + 1} contains ";" (Athena runs one statement per query)`);
    const unknown = placeholdersIn(statement).filter((name) => !ELT_PLACEHOLDERS.includes(name));
    if (unknown.length > 0) {
      throw new EltSqlError(`${file}: statement ${index + 1} uses unknown placeholder(s) ${unknown.map((name) => `{{${name}}}`).join(', ')}; known: ${ELT_PLACEHOLDERS.join(', ')}`);
    }
    return statement;
  });
}

/** The distinct placeholder names a text uses, in order of first use. */
export function placeholdersIn(sql: string): string[] {
  return [...new Set([...sql.matchAll(PLACEHOLDER)].map((match) => match[1]))];
}

/** Checks a day: `yyyy-mm-dd` and a real calendar date. Returns it unchanged. */
export function validateDay(day: string): string {
  const match = DAY.exec(day);
  if (!match) throw new EltSqlError(`day "${day}" must be a date written yyyy-mm-dd`);
  const [year, month, date] = match.slice(1).map(Number);
  if (year < 1 || month < 1 || month > 12 || date < 1 || date > daysInMonth(year, month)) {
    throw new EltSqlError(`day "${day}" is not a calendar date`);
  }
  return day;
}

/**
 * A statement with every placeholder substituted. Throws EltSqlError for a day that is not a real
 * `yyyy-mm-dd` date, a database name that is not snake_case (lowercase letters, digits, underscores,
 * not starting with a digit), a bad feature list, or a placeholder it does not know.
 */
export function renderStatement(sql: string, options: RenderOptions): string {
  const values: Record<string, string> = {
    day: validateDay(options.day),
    ...synthValues(options, false),
  };
  return sql.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new EltSqlError(`unknown placeholder ${whole}; known: ${ELT_PLACEHOLDERS.join(', ')}`);
    return value;
  });
}

/**
 * A statement as a Step Functions `States.Format` call: synth-time placeholders substituted, each
 * `{{day}}` turned into `{}` with `dayPath` as its argument, and the literal text escaped as the
 * intrinsic requires (`'`, `{`, `}` and `\` preceded by a backslash).
 *
 * The statement is first compacted to one line (compactSql: comments dropped, whitespace outside
 * quotes collapsed), because a line break inside an intrinsic's string literal is not among the
 * documented characters (the Step Functions interpreter in moto/LocalStack rejects control characters
 * there). Database names may be CDK tokens; they are left unescaped so that they resolve at deploy
 * (a resolved Glue database name needs no escaping).
 */
export function STEP_FUNCTIONS_TEMPLATE(sql: string, options: StepFunctionsTemplateOptions): StepFunctionsTemplate {
  const dayPath = options.dayPath ?? DEFAULT_DAY_PATH;
  if (!DAY_PATH.test(dayPath)) throw new EltSqlError(`dayPath "${dayPath}" must be a path such as $.day or $$.Execution.Input.day`);
  const values = synthValues(options, true);
  const compact = compactSql(sql);
  let format = '';
  const args: string[] = [];
  let last = 0;
  for (const match of compact.matchAll(PLACEHOLDER)) {
    const [whole, name] = match;
    format += escapeStatesFormatLiteral(compact.slice(last, match.index));
    if (name === 'day') {
      format += '{}';
      args.push(dayPath);
    } else if (name === 'feature_events' || name === 'lateness_days') {
      format += escapeStatesFormatLiteral(values[name]);
    } else if (values[name] !== undefined) {
      // A database name: plain snake_case (nothing to escape) or a CDK token that must stay intact.
      format += values[name];
    } else {
      throw new EltSqlError(`unknown placeholder ${whole}; known: ${ELT_PLACEHOLDERS.join(', ')}`);
    }
    last = match.index + whole.length;
  }
  format += escapeStatesFormatLiteral(compact.slice(last));
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(format)) throw new EltSqlError('the statement keeps a control character (a line break inside a quoted literal?), which States.Format cannot carry');
  const expression = `States.Format('${format}'${args.map((arg) => `, ${arg}`).join('')})`;
  return { format, args, expression };
}

/** Escapes text for the literal part of a `States.Format('…')` argument: `\` `'` `{` `}` get a backslash. */
export function escapeStatesFormatLiteral(text: string): string {
  return text.replace(/[\\'{}]/g, (character) => `\\${character}`);
}

/**
 * One-line SQL: `--` and `/* *\/` comments dropped, every run of whitespace outside quotes (`'…'` with
 * `''` escapes, `"…"`) collapsed to one space. The statement means the same to Athena.
 */
export function compactSql(sql: string): string {
  let out = '';
  let space = false;
  let i = 0;
  const emit = (text: string) => {
    if (space && out !== '') out += ' ';
    space = false;
    out += text;
  };
  while (i < sql.length) {
    const character = sql[i];
    if (character === "'" || character === '"') {
      const end = closingQuote(sql, i);
      emit(sql.slice(i, end + 1));
      i = end + 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      space = true;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new EltSqlError('unterminated /* comment');
      i = end + 2;
      space = true;
    } else if (/\s/.test(character)) {
      space = true;
      i += 1;
    } else {
      emit(character);
      i += 1;
    }
  }
  return out;
}

function closingQuote(sql: string, start: number): number {
  const end = closingQuoteIndex(sql, start);
  if (end === -1) throw new EltSqlError(`unterminated ${sql[start]} quote starting "${sql.slice(start, start + 20)}"`);
  return end;
}

function synthValues(settings: EltSqlSettings, allowTokens: boolean): Record<string, string> {
  return {
    raw_database: databaseName('rawDatabase', settings.rawDatabase, allowTokens),
    curated_database: databaseName('curatedDatabase', settings.curatedDatabase, allowTokens),
    analytics_database: databaseName('analyticsDatabase', settings.analyticsDatabase, allowTokens),
    feature_events: featureEventList(settings.featureEvents ?? DEFAULT_FEATURE_EVENTS),
    lateness_days: latenessDays(settings.latenessDays ?? DEFAULT_LATENESS_DAYS),
  };
}

/** The window as SQL text: a whole number of days, spliced into INTERVAL '<n>' DAY. */
function latenessDays(days: number): string {
  if (!Number.isInteger(days) || days < 0 || days > MAX_LATENESS_DAYS) {
    throw new EltSqlError(`latenessDays must be a whole number of days from 0 to ${MAX_LATENESS_DAYS}, got ${String(days)}`);
  }
  return String(days);
}

function databaseName(field: string, name: string, allowTokens: boolean): string {
  if (allowTokens && typeof name === 'string' && UNRESOLVED.test(name)) return name;
  if (typeof name !== 'string' || !DATABASE_NAME.test(name)) {
    throw new EltSqlError(
      `${field} "${name}" is not a snake_case database name: use lowercase letters, digits and underscores, ` +
        'starting with a letter or underscore (at most 255 characters)',
    );
  }
  return name;
}

function featureEventList(events: readonly string[]): string {
  if (events.length === 0 || events.length > MAX_FEATURE_EVENTS) {
    throw new EltSqlError(`featureEvents must list 1 to ${MAX_FEATURE_EVENTS} event names, got ${events.length}`);
  }
  const bad = events.filter((event) => !EVENT_NAME.test(event));
  if (bad.length > 0) throw new EltSqlError(`featureEvents: ${bad.map((event) => `"${event}"`).join(', ')} not an event name (lowercase letters, digits, underscores, starting with a letter)`);
  if (events.includes('feature_used')) throw new EltSqlError('featureEvents: feature_used is always included (its feature is properties[\'feature\']); list only dedicated events');
  const duplicates = events.filter((event, index) => events.indexOf(event) !== index);
  if (duplicates.length > 0) throw new EltSqlError(`featureEvents: ${[...new Set(duplicates)].join(', ')} listed twice`);
  return events.map((event) => `'${event}'`).join(', ');
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
