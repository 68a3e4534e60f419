/**
 * The lineage INSERT as a Step Functions `States.Format` call, for jobs that are state machines (the
 * metrics ELT; the curated and orchestration flows call the same fragment, recording.ts). Values known
 * at synth (job, tables, producer) are rendered by sql.ts exactly as the Lambda jobs render them; values
 * known only at run time (run id, day, event time, rows written) become `{}` arguments.
 *
 * States.Format cannot escape SQL, so the arguments spliced inside quotes (`stringPaths`) must never
 * contain `'`: the fragment checks them with a Choice before the query runs and skips the recording
 * otherwise. The event time is Step Functions' own `$$.State.EnteredTime` and the row count a JSON number
 * from Athena, which are spliced unquoted inside a cast.
 */
import { escapeStatesFormatLiteral } from '../elt/steps';
import { DEFAULT_PRODUCER, LineageError, OPENLINEAGE_SCHEMA_URL, type DatasetRef } from './events';
import { datasetList, insertParts, sqlString, type SqlPart } from './sql';

export interface LineageTemplateOptions {
  /** Glue database of the lineage table (a plain name or a CDK token). */
  readonly database: string;
  readonly job: { readonly namespace: string; readonly name: string };
  readonly inputs: readonly Omit<DatasetRef, 'rowCount'>[];
  readonly outputs: readonly Omit<DatasetRef, 'rowCount'>[];
  /** Run id (quoted: checked for `'`). @default '$$.Execution.Name' */
  readonly runIdPath?: string;
  /** ISO-8601 event time. @default '$$.State.EnteredTime' */
  readonly eventTimePath?: string;
  /** Rows written (a number or null), e.g. Athena's UpdateCount. @default none (NULL) */
  readonly outputRowCountPath?: string;
  /** Facts read at run time, by key (quoted: checked for `'`), e.g. `{ day: '$.day' }`. @default none */
  readonly factPaths?: Readonly<Record<string, string>>;
  /** Facts known at synth. @default none */
  readonly facts?: Readonly<Record<string, string>>;
  /** @default DEFAULT_PRODUCER */
  readonly producer?: string;
}

export interface LineageTemplate {
  /** The whole call, for a `QueryString.$` field. */
  readonly expression: string;
  /** The JSONPaths of the `{}` arguments, in order. */
  readonly args: readonly string[];
  /** The paths spliced inside quotes: the fragment refuses values with `'` before the query runs. */
  readonly stringPaths: readonly string[];
}

/** A JSONPath or context path of plain member names (`$.day`, `$$.Execution.Name`, `$.written.UpdateCount`). */
const PATH = /^\$\$?(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const TOKEN = /\$\{Token\[[^\]]*\]\}/g;
const DATABASE = /^[a-z_][a-z0-9_]{0,254}$/;

export function lineageInsertTemplate(options: LineageTemplateOptions): LineageTemplate {
  const runIdPath = checkPath('runIdPath', options.runIdPath ?? '$$.Execution.Name');
  const eventTimePath = checkPath('eventTimePath', options.eventTimePath ?? '$$.State.EnteredTime');
  const factPaths = Object.entries(options.factPaths ?? {}).map(([key, path]) => [key, checkPath(`factPaths.${key}`, path)] as const);
  const facts = Object.entries(options.facts ?? {});
  const keys = [...facts.map(([key]) => key), ...factPaths.map(([key]) => key)];
  if (new Set(keys).size !== keys.length) throw new LineageError(`facts and factPaths name the same key twice: ${keys.join(', ')}`);
  const sql = (text: string): SqlPart => ({ sql: text });
  const quotedPath = (path: string): SqlPart[] => [sql("'"), { path }, sql("'")];
  const sorted = [...facts.map(([key, value]) => ({ key, value: [sql(sqlString(value))] })), ...factPaths.map(([key, path]) => ({ key, value: quotedPath(path) }))].sort((a, b) =>
    a.key < b.key ? -1 : 1,
  );
  const facetsCell: SqlPart[] =
    sorted.length === 0
      ? [sql('CAST(MAP() AS MAP(varchar, varchar))')]
      : [
          sql(`CAST(MAP(ARRAY[${sorted.map(({ key }) => sqlString(key)).join(', ')}], ARRAY[`),
          ...sorted.flatMap(({ value }, index) => (index === 0 ? value : [sql(', '), ...value])),
          sql(']) AS MAP(varchar, varchar))'),
        ];
  const cells: SqlPart[][] = [
    [sql('CAST(from_iso8601_timestamp('), ...quotedPath(eventTimePath), sql(') AS timestamp)')],
    [sql(sqlString('COMPLETE'))],
    quotedPath(runIdPath),
    [sql(sqlString(options.job.namespace))],
    [sql(sqlString(options.job.name))],
    [sql(datasetList(options.inputs))],
    [sql(datasetList(options.outputs))],
    [sql('CAST(NULL AS bigint)')],
    options.outputRowCountPath ? [sql('CAST('), { path: checkPath('outputRowCountPath', options.outputRowCountPath) }, sql(' AS bigint)')] : [sql('CAST(NULL AS bigint)')],
    [sql(sqlString(options.producer ?? DEFAULT_PRODUCER))],
    [sql(sqlString(OPENLINEAGE_SCHEMA_URL))],
    facetsCell,
  ];
  // A token database name resolves at deploy; insertParts quotes plain names only.
  const tokenDatabase = /\$\{Token\[/.test(options.database);
  if (!tokenDatabase && !DATABASE.test(options.database)) throw new LineageError(`database "${options.database}" is not a snake_case Glue database name`);
  const parts = insertParts(tokenDatabase ? 'placeholder_database' : options.database, [cells]);
  let format = '';
  const args: string[] = [];
  for (const part of parts) {
    if ('path' in part) {
      format += '{}';
      args.push(part.path);
    } else {
      const text = tokenDatabase ? part.sql.replace('"placeholder_database"', `"${options.database}"`) : part.sql;
      format += escapeKeepingTokens(text);
    }
  }
  return { expression: `States.Format('${format}'${args.map((arg) => `, ${arg}`).join('')})`, args, stringPaths: [runIdPath, ...factPaths.map(([, path]) => path)] };
}

/** Escapes a literal for States.Format, leaving CDK tokens intact so they resolve at deploy. */
export function escapeKeepingTokens(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out += escapeStatesFormatLiteral(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeStatesFormatLiteral(text.slice(last));
}

function checkPath(field: string, path: string): string {
  if (typeof path !== 'string' || !PATH.test(path)) throw new LineageError(`${field} "${String(path)}" must be a path such as $.day or $$.Execution.Name`);
  return path;
}
