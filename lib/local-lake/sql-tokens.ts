/**
 * A small SQL tokenizer for the Athena-to-DuckDB dialect mapping (dialect.ts). It only needs to know
 * where string literals, quoted identifiers, comments, words and parentheses are, so that rewrites
 * never touch text inside a literal and function arguments can be split at top-level commas.
 */
import { closingQuoteIndex } from '../../constructs/common/sql-quotes';

export type TokenKind = 'string' | 'quoted' | 'word' | 'number' | 'punct' | 'space';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

/** Raised for SQL the local lake cannot run faithfully; the message says what and why. */
export class DialectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DialectError';
  }
}

/** Tokens of `sql`; comments become a single space (they cannot change what a statement does). */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const character = sql[i];
    if (character === "'" || character === '"') {
      const end = closingQuote(sql, i);
      tokens.push({ kind: character === "'" ? 'string' : 'quoted', text: sql.slice(i, end + 1) });
      i = end + 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      tokens.push({ kind: 'space', text: ' ' });
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new DialectError('unterminated /* comment');
      i = end + 2;
      tokens.push({ kind: 'space', text: ' ' });
    } else if (/\s/.test(character)) {
      const match = /^\s+/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'space', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(character)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    } else if (/[0-9]/.test(character)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else {
      const two = sql.slice(i, i + 2);
      const text = ['<=', '>=', '<>', '!=', '||'].includes(two) ? two : character;
      tokens.push({ kind: 'punct', text });
      i += text.length;
    }
  }
  return tokens;
}

function closingQuote(sql: string, start: number): number {
  const end = closingQuoteIndex(sql, start);
  if (end === -1) throw new DialectError(`unterminated ${sql[start]} quote starting "${sql.slice(start, start + 20)}"`);
  return end;
}

/** Index of the `)` that closes the `(` at `open`. */
export function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j += 1) {
    if (tokens[j].text === '(') depth += 1;
    else if (tokens[j].text === ')') {
      depth -= 1;
      if (depth === 0) return j;
    }
  }
  throw new DialectError('unbalanced parentheses');
}

/** The tokens between `(` at `open` and its `)`, split at top-level commas. */
export function splitArguments(tokens: readonly Token[], open: number, close: number): Token[][] {
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open + 1; j < close; j += 1) {
    const token = tokens[j];
    if (token.text === '(') depth += 1;
    if (token.text === ')') depth -= 1;
    if (token.text === ',' && depth === 0) args.push([]);
    else args[args.length - 1].push(token);
  }
  return args;
}

/** Index of the next non-space token at or after `from`, or -1. */
export function nextSignificant(tokens: readonly Token[], from: number): number {
  for (let j = from; j < tokens.length; j += 1) if (tokens[j].kind !== 'space') return j;
  return -1;
}

/** The text of tokens without surrounding whitespace. */
export function text(tokens: readonly Token[]): string {
  return tokens.map((token) => token.text).join('').trim();
}
