import type { z } from 'zod';
import { formatPath, renderValue, ValidationReport, valueAt, type ValidationProblem } from '../constructs/common/validation-report';

/** One problem in a configuration file: where it is, what was there and what is allowed. */
export interface ConfigProblem {
  /** Dotted field path, for example `storage.zones[1].name`. */
  readonly field: string;
  /** The value found at that path, rendered for humans (`(missing)` when absent). */
  readonly value: string;
  /** What is allowed instead. */
  readonly allowed: string;
}

/**
 * Thrown before any construct exists when a configuration file is invalid: the one validation report
 * (constructs/common/validation-report.ts), every problem sourced to `file`.
 */
export class ConfigValidationError extends ValidationReport {
  constructor(
    readonly file: string,
    problems: readonly ConfigProblem[],
  ) {
    super(problems.map((problem): ValidationProblem => ({ source: file, ...problem })));
    this.name = 'ConfigValidationError';
  }
}

/** Converts zod issues into problems that point at the raw input. */
export function problemsFromZod(input: unknown, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    // An unrecognised key is reported on its parent; point at the key itself.
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return {
        field: formatPath([...issue.path, keys[0]]),
        value: renderValue(valueAt(input, [...issue.path, keys[0]])),
        allowed: `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}; remove or fix the spelling`,
      };
    }
    // A bad record key (a tag key, say) carries the key's own problem one level down.
    if (issue.code === 'invalid_key') {
      const key = issue.path[issue.path.length - 1];
      return {
        field: formatPath(issue.path),
        value: `key ${renderValue(String(key))}`,
        allowed: `the key ${issue.issues.map((inner) => inner.message).join('; ')}`,
      };
    }
    return {
      field: formatPath(issue.path),
      value: renderValue(valueAt(input, issue.path)),
      allowed: issue.message,
    };
  });
}
