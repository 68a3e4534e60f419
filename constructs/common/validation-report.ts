/**
 * The one report every validation error reaches a user through: the configuration schema, the dataset
 * contracts, vector collections, quality rules, the ELT's datasets, interface endpoints and the CDK
 * context. Each problem names where it is (a file, or a dataset for library users), the field, the value
 * found and what is allowed, and is rendered as one line, so a user fixes inputs without reading code.
 */

/** One problem: where it is, what was there and what is allowed instead. */
export interface ValidationProblem {
  /** The file (`config/environments/prod.ts`) or declaration (`dataset "events"`) the problem is in. */
  readonly source: string;
  /** Dotted field path inside the source, for example `storage.zones[1].name`; `(root)` for the whole. */
  readonly field: string;
  /** The value found, rendered for humans (`(missing)` when absent); see {@link renderValue}. */
  readonly value: string;
  /** What is allowed instead, or how to fix it. */
  readonly allowed: string;
}

/**
 * Thrown before any construct exists when an input is invalid. Entry points print `message` and exit
 * without a stack trace: the message says everything the fix needs.
 */
export class ValidationReport extends Error {
  constructor(readonly problems: readonly ValidationProblem[]) {
    super(renderProblems(problems));
    this.name = 'ValidationReport';
  }
}

/**
 * One block per source, in the order sources first appear, each problem on its own line:
 *
 *     Invalid configuration in config/environments/prod.ts (nothing was synthesized):
 *       - network.cidr: got "10.0.0.1/16"; ...
 */
export function renderProblems(problems: readonly ValidationProblem[]): string {
  const bySource = new Map<string, ValidationProblem[]>();
  for (const problem of problems) bySource.set(problem.source, [...(bySource.get(problem.source) ?? []), problem]);
  return [...bySource]
    .map(
      ([source, list]) =>
        `Invalid configuration in ${source} (nothing was synthesized):\n` + list.map((p) => `  - ${p.field}: got ${p.value}; ${p.allowed}`).join('\n'),
    )
    .join('\n');
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

/** Splits a path written by {@link formatPath} (or dotted by hand) back into its parts. */
export function parsePath(field: string): PropertyKey[] {
  const parts: PropertyKey[] = [];
  if (field === '(root)') return parts;
  const pattern = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  for (const match of field.matchAll(pattern)) {
    if (match[1] !== undefined) parts.push(Number(match[1]));
    else if (match[2] !== undefined) parts.push(JSON.parse(`"${match[2]}"`) as string);
    else parts.push(match[3]);
  }
  return parts;
}

/** Reads the value at `path` from raw, unvalidated input; undefined where the path leads nowhere. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** A value as a reader would write it: strings quoted, objects as short JSON, `(missing)` for undefined. */
export function renderValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return '(a function)';
  try {
    const json = JSON.stringify(value) ?? String(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return String(value);
  }
}
