import type { z } from 'zod';
import { closest } from '../constructs/common/shape';
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

interface SchemaNode {
  readonly _zod: { readonly def: { readonly type: string } & Record<string, unknown> };
}

/** Wrappers around a schema (defaults, optionals, refinements) that do not change its keys. */
function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  while (current && ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(current._zod.def.type)) {
    current = current._zod.def.innerType as SchemaNode | undefined;
  }
  return current;
}

/** The field names the schema knows for the object at `path`, if it is an object there. */
function knownKeysAt(schema: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let node = unwrap(schema as SchemaNode | undefined);
  for (const part of path) {
    if (!node) return undefined;
    const def = node._zod.def;
    if (def.type === 'object') node = unwrap((def.shape as Record<PropertyKey, SchemaNode>)[part]);
    else if (def.type === 'array') node = unwrap(def.element as SchemaNode);
    else if (def.type === 'record') node = unwrap(def.valueType as SchemaNode);
    else return undefined;
  }
  return node?._zod.def.type === 'object' ? Object.keys(node._zod.def.shape as object) : undefined;
}

/**
 * Converts zod issues into problems that point at the raw input. With the schema, an unknown field
 * gets the closest known one suggested and the known ones listed.
 */
export function problemsFromZod(input: unknown, issues: readonly z.core.$ZodIssue[], schema?: unknown): ConfigProblem[] {
  return issues.map((issue) => {
    // An unrecognised key is reported on its parent; point at the key itself.
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      const known = knownKeysAt(schema, issue.path);
      const suggestion = known && keys.length === 1 ? closest(keys[0], known) : undefined;
      return {
        field: formatPath([...issue.path, keys[0]]),
        value: renderValue(valueAt(input, [...issue.path, keys[0]])),
        allowed:
          `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}; ` +
          (suggestion ? `did you mean "${suggestion}"? ` : 'remove or fix the spelling ') +
          (known ? `(known: ${known.join(', ')})` : '').trimEnd(),
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
