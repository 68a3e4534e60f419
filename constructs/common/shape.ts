/**
 * A small runtime shape checker for declarations that arrive as plain data (dataset contracts, JSON in
 * a table parameter). `cdk synth` does not type-check, so TypeScript's interfaces guard nothing at run
 * time; these shapes do, with the library staying free of runtime dependencies (no zod in the package).
 *
 * A shape reports every issue it finds (path, what is allowed) and never throws, so the semantic
 * checks that run afterwards can rely on the shape being right.
 */

/** One shape issue: the path to the value and what is allowed there. */
export interface ShapeIssue {
  readonly path: readonly PropertyKey[];
  readonly allowed: string;
}

export type Shape = (value: unknown, path: readonly PropertyKey[], issues: ShapeIssue[]) => void;

/** A field of an object shape; `optional` fields may be absent (but not present with a wrong type). */
export interface Field {
  readonly shape: Shape;
  readonly optional?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const typeName = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);

export const optional = (shape: Shape): Field => ({ shape, optional: true });

/** A string, optionally matching `pattern`. */
export function string(options: { pattern?: RegExp } = {}): Shape {
  return (value, path, issues) => {
    if (typeof value !== 'string') issues.push({ path, allowed: `must be a string, not ${typeName(value)}` });
    else if (options.pattern && !options.pattern.test(value)) issues.push({ path, allowed: `must match ${options.pattern}` });
  };
}

/** A finite number; `integer` for whole numbers, at least `min` when given. */
export function number(options: { integer?: boolean; min?: number } = {}): Shape {
  return (value, path, issues) => {
    const what = options.integer ? 'a whole number' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value)) issues.push({ path, allowed: `must be ${what}, not ${typeof value === 'number' ? String(value) : typeName(value)}` });
    else if (options.integer && !Number.isInteger(value)) issues.push({ path, allowed: `must be ${what}` });
    else if (options.min !== undefined && value < options.min) issues.push({ path, allowed: `must be at least ${options.min}` });
  };
}

/** Any of several shapes; the first whose check is clean wins, else `allowed` describes them all. */
export function anyOf(shapes: readonly Shape[], allowed: string): Shape {
  return (value, path, issues) => {
    for (const shape of shapes) {
      const own: ShapeIssue[] = [];
      shape(value, path, own);
      if (own.length === 0) return;
    }
    issues.push({ path, allowed });
  };
}

export function array(item: Shape): Shape {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, allowed: `must be an array, not ${typeName(value)}` });
      return;
    }
    value.forEach((element, index) => item(element, [...path, index], issues));
  };
}

/** An object used as a map: any keys, every value of one shape. */
export function record(valueShape: Shape): Shape {
  return (value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, allowed: `must be an object, not ${typeName(value)}` });
      return;
    }
    for (const [name, element] of Object.entries(value)) valueShape(element, [...path, name], issues);
  };
}

/**
 * A strict object: required fields present, optional ones absent or of the right shape, unknown keys
 * refused (a misspelt optional field would otherwise be ignored, silently), with the closest known
 * field suggested.
 */
export function object(fields: Readonly<Record<string, Shape | Field>>): Shape {
  const normalized = Object.entries(fields).map(([name, field]) => [name, typeof field === 'function' ? { shape: field } : field] as const);
  const known = normalized.map(([name]) => name);
  return (value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, allowed: `must be an object with ${known.join(', ')}, not ${typeName(value)}` });
      return;
    }
    for (const [name, field] of normalized) {
      if (value[name] === undefined) {
        if (!field.optional) issues.push({ path: [...path, name], allowed: 'is required' });
      } else {
        field.shape(value[name], [...path, name], issues);
      }
    }
    for (const name of Object.keys(value)) {
      if (known.includes(name)) continue;
      const close = closest(name, known);
      issues.push({
        path: [...path, name],
        allowed: `is not a field here${close ? `; did you mean "${close}"?` : ''} (known: ${known.join(', ')})`,
      });
    }
  };
}

/** An object whose `kind` (or other discriminator) selects its shape. */
export function tagged(discriminator: string, variants: Readonly<Record<string, Shape>>): Shape {
  const kinds = Object.keys(variants);
  return (value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, allowed: `must be an object with ${discriminator}: ${kinds.map((k) => JSON.stringify(k)).join(' | ')}, not ${typeName(value)}` });
      return;
    }
    const variant = variants[String(value[discriminator])];
    if (typeof value[discriminator] !== 'string' || !variant) {
      issues.push({ path: [...path, discriminator], allowed: `must be one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}` });
      return;
    }
    variant(value, path, issues);
  };
}

/** The known name within two edits of `name` (case-insensitive), if exactly one is that close. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  const matches = scored.filter((s) => s.distance === best);
  return best <= Math.max(2, Math.floor(name.length / 4)) && matches.length === 1 ? matches[0].candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
