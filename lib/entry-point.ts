import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownEnvironmentError } from '../config/load';
import { ValidationReport } from '../constructs/common/validation-report';

/** Set to 1 to see the stack trace of an unexpected error. */
export const DEBUG_VARIABLE = 'LAKEHOUSE_DEBUG';

/** Where users report bugs: package.json's `bugs.url` (one place to change it). */
export function bugReportUrl(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { bugs?: { url?: string } | string };
  const bugs = typeof manifest.bugs === 'string' ? manifest.bugs : manifest.bugs?.url;
  return bugs ?? 'the project repository';
}

/**
 * What the entry point prints when building or synthesizing fails. A validation report is the user's
 * to fix and says everything the fix needs, so it is printed as is. Anything else is a bug of the
 * blueprint: say so, where to report it, and the message; the stack trace only when asked for.
 */
export function failureMessage(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (error instanceof ValidationReport || error instanceof UnknownEnvironmentError) return error.message;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const lines = [`Unexpected error (this is a bug in Lakehouse Blueprint; please report it at ${bugReportUrl()}):`, ...text.split('\n').map((line) => `  ${line}`)];
  if (env[DEBUG_VARIABLE] === '1' && error instanceof Error && error.stack) lines.push(error.stack);
  else lines.push(`(run with ${DEBUG_VARIABLE}=1 for the stack trace)`);
  return lines.join('\n');
}
