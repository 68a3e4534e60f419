import type { z } from 'zod';

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
 * Thrown before any construct exists when a configuration is invalid. The message names the file,
 * every bad field, the value found and what is allowed, so the fix needs no reading of code.
 */
export class ConfigValidationError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration in ${file} (nothing was synthesized):\n` +
        problems.map((p) => `  - ${p.field}: got ${p.value}; ${p.allowed}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/** Renders a path the way a reader would write it in TypeScript: `storage.zones[1].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = String(part);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return `${i === 0 ? '' : '.'}${name}`;
    })
    .join('');
}

/** Reads the value at `path` from the raw, unvalidated input. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

function renderValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
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
