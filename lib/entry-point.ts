import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownEnvironmentError } from '../config/unknown-environment';
import { renderProblems, ValidationReport } from '../constructs/common/validation-report';
import { BudgetExceededError, isResourceBudgetFailure } from './budget';

/** Set to 1 to see the stack trace of an unexpected error. */
export const DEBUG_VARIABLE = 'LAKEHOUSE_DEBUG';

/**
 * Where users report bugs: package.json's `bugs.url` once the project publishes one (a fork sets its own);
 * until then, the README's "Reporting a bug" section.
 */
export function bugReportUrl(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { bugs?: { url?: string } | string };
  const bugs = typeof manifest.bugs === 'string' ? manifest.bugs : manifest.bugs?.url;
  return bugs ?? 'the issue tracker of the repository you got it from (README.md, "Reporting a bug")';
}

/** A user's file (an environment or dataset declaration) as errors name it, with the position. */
const USER_FILE = /(config\/(?:environments|datasets)\/[\w.-]+\.ts):(\d+):(\d+)/;

/**
 * The environment or dataset file an error comes from, when a user's file failed to load: a syntax
 * error (esbuild names the file in the message) or an exception thrown while the file ran (its top
 * stack frame is in the file). Errors of the blueprint's own code never start in those files.
 */
export function userFileFailure(error: unknown): { readonly file: string; readonly line: string; readonly column: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const where = error.name === 'TransformError' ? error.message : (error.stack ?? '').split('\n').find((line) => /^\s+at /.test(line));
  const match = where === undefined ? null : USER_FILE.exec(where);
  return match ? { file: match[1], line: match[2], column: match[3] } : undefined;
}

/**
 * What the entry point prints when building or synthesizing fails. A validation report is the user's
 * to fix and says everything the fix needs, so it is printed as is; so is a declaration file that does
 * not load, as a report on that file. Anything else is a bug of the blueprint: say so, where to report
 * it, and the message; the stack trace only when asked for.
 */
export function failureMessage(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  // A budget refusal names the stack, the measure and the datasets to move: the user's to act on.
  if (error instanceof ValidationReport || error instanceof UnknownEnvironmentError || error instanceof BudgetExceededError || isResourceBudgetFailure(error)) {
    return (error as Error).message;
  }
  const userFile = userFileFailure(error);
  if (userFile && error instanceof Error) {
    const syntax = error.name === 'TransformError';
    const detail = syntax ? error.message.split('\n').map((line) => line.replace(/^.*?: ERROR: /, '')).filter((line) => !/^Transform failed/.test(line) && line !== '').join('; ') : `${error.name}: ${error.message}`;
    return renderProblems([
      {
        source: userFile.file,
        field: `line ${userFile.line}, column ${userFile.column}`,
        value: syntax ? 'a syntax error' : 'an error while the file ran',
        allowed: `${detail}; fix the file (TypeScript syntax, every object and array closed, no code that throws)`,
      },
    ]);
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const lines = [`Unexpected error (this is a bug in Lakehouse Blueprint; please report it at ${bugReportUrl()}):`, ...text.split('\n').map((line) => `  ${line}`)];
  if (env[DEBUG_VARIABLE] === '1' && error instanceof Error && error.stack) lines.push(error.stack);
  else lines.push(`(run with ${DEBUG_VARIABLE}=1 for the stack trace)`);
  return lines.join('\n');
}
