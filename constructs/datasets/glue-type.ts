/**
 * A parser for Glue/Athena (Hive DDL) column types, so that a typo in a dataset's type fails at
 * synth with the position of the mistake instead of at deploy or at the first query.
 */

export const PRIMITIVE_TYPES = [
  'string', 'boolean', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'date', 'timestamp', 'binary',
] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

export type GlueType =
  | { readonly kind: 'primitive'; readonly name: PrimitiveType }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'varchar' | 'char'; readonly length: number }
  | { readonly kind: 'array'; readonly element: GlueType }
  | { readonly kind: 'map'; readonly key: GlueType; readonly value: GlueType }
  | { readonly kind: 'struct'; readonly fields: ReadonlyArray<{ readonly name: string; readonly type: GlueType }> };

export class GlueTypeError extends Error {}

/** Parses `text` (for example `struct<plan:string,seats:int>`); throws GlueTypeError saying what is wrong. */
export function parseGlueType(text: string): GlueType {
  const parser = new Parser(text);
  const type = parser.type();
  parser.end();
  return type;
}

/** Renders a parsed type back in canonical form (lowercase, no spaces), as Glue stores it. */
export function renderGlueType(type: GlueType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'varchar':
    case 'char':
      return `${type.kind}(${type.length})`;
    case 'array':
      return `array<${renderGlueType(type.element)}>`;
    case 'map':
      return `map<${renderGlueType(type.key)},${renderGlueType(type.value)}>`;
    case 'struct':
      return `struct<${type.fields.map((field) => `${field.name}:${renderGlueType(field.type)}`).join(',')}>`;
  }
}

/** Every struct field name inside `type`, with its dotted path, for name validation. */
export function structFieldPaths(type: GlueType, prefix = ''): string[] {
  switch (type.kind) {
    case 'array':
      return structFieldPaths(type.element, prefix);
    case 'map':
      return structFieldPaths(type.value, prefix);
    case 'struct':
      return type.fields.flatMap((field) => [`${prefix}${field.name}`, ...structFieldPaths(field.type, `${prefix}${field.name}.`)]);
    default:
      return [];
  }
}

class Parser {
  private position = 0;
  constructor(private readonly text: string) {}

  type(): GlueType {
    // Type keywords are case-insensitive in Hive DDL; field names are validated separately.
    const word = this.word().toLowerCase();
    switch (word) {
      case 'decimal': {
        this.expect('(');
        const precision = this.integer();
        this.expect(',');
        const scale = this.integer();
        this.expect(')');
        if (precision < 1 || precision > 38) this.fail(`decimal precision must be 1-38, got ${precision}`);
        if (scale > precision) this.fail(`decimal scale (${scale}) cannot exceed precision (${precision})`);
        return { kind: 'decimal', precision, scale };
      }
      case 'varchar':
      case 'char': {
        this.expect('(');
        const length = this.integer();
        this.expect(')');
        const max = word === 'varchar' ? 65535 : 255;
        if (length < 1 || length > max) this.fail(`${word} length must be 1-${max}, got ${length}`);
        return { kind: word, length };
      }
      case 'array': {
        this.expect('<');
        const element = this.type();
        this.expect('>');
        return { kind: 'array', element };
      }
      case 'map': {
        this.expect('<');
        const key = this.type();
        if (key.kind !== 'primitive' && key.kind !== 'varchar' && key.kind !== 'char' && key.kind !== 'decimal') {
          this.fail('map keys must be a primitive type');
        }
        this.expect(',');
        const value = this.type();
        this.expect('>');
        return { kind: 'map', key, value };
      }
      case 'struct': {
        this.expect('<');
        const fields: Array<{ name: string; type: GlueType }> = [];
        do {
          const name = this.word();
          if (fields.some((field) => field.name === name)) this.fail(`struct field "${name}" appears twice`);
          this.expect(':');
          fields.push({ name, type: this.type() });
        } while (this.accept(','));
        this.expect('>');
        return { kind: 'struct', fields };
      }
      default:
        if ((PRIMITIVE_TYPES as readonly string[]).includes(word)) return { kind: 'primitive', name: word as PrimitiveType };
        if (word === 'integer') return { kind: 'primitive', name: 'int' };
        return this.fail(`unknown type "${word}"; known: ${PRIMITIVE_TYPES.join(', ')}, decimal(p,s), varchar(n), char(n), array<T>, map<K,V>, struct<name:T,...>`);
    }
  }

  end(): void {
    this.skipSpace();
    if (this.position < this.text.length) this.fail(`unexpected "${this.text.slice(this.position)}"`);
  }

  private word(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.position));
    if (!match) return this.fail('expected a type or field name');
    this.position += match[0].length;
    return match[0];
  }

  private integer(): number {
    this.skipSpace();
    const match = /^\d+/.exec(this.text.slice(this.position));
    if (!match) return this.fail('expected a number');
    this.position += match[0].length;
    return Number(match[0]);
  }

  private accept(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.position)) {
      this.position += token.length;
      return true;
    }
    return false;
  }

  private expect(token: string): void {
    if (!this.accept(token)) this.fail(`expected "${token}"`);
  }

  private skipSpace(): void {
    while (this.text[this.position] === ' ') this.position += 1;
  }

  private fail(message: string): never {
    throw new GlueTypeError(`${message} at position ${this.position} of "${this.text}"`);
  }
}
