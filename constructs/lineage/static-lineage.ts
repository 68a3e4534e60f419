/**
 * Static lineage: the tables one Athena (Trino) statement reads and writes, from its text. Enough of
 * the grammar for the platform's own SQL (SELECT with CTEs, joins and subqueries; INSERT INTO, DELETE
 * FROM, UPDATE, MERGE INTO, CREATE TABLE … AS); a statement it cannot read fails loudly instead of
 * yielding a partial answer. Used for the data dictionary's upstream/downstream columns and
 * docs/lineage.md; test/lineage/static-lineage.test.ts proves it equals what DuckDB actually touches.
 *
 * No AWS SDK and no CDK import.
 */
import { LineageError } from './events';

/** Tables as written in the SQL, lowercased, `database.table` when qualified. */
export interface TablesTouched {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
}

type Token = { readonly kind: 'word' | 'name' | 'punct'; readonly text: string };

/** Words after which `(` does not start a subquery's FROM context but a function whose FROM is a keyword argument. */
const FROM_IN_CALL = new Set(['extract', 'trim', 'substring', 'position', 'overlay']);
/** Words that end a table reference's alias position. */
const CLAUSE_WORDS = new Set([
  'where', 'group', 'order', 'having', 'limit', 'join', 'left', 'right', 'full', 'inner', 'cross', 'on', 'using', 'union', 'intersect', 'except',
  'window', 'offset', 'fetch', 'natural', 'select', 'set', 'values', 'when', 'tablesample', 'for',
]);

export function tablesTouched(sql: string): TablesTouched {
  const tokens = tokenize(sql);
  const ctes = cteNames(tokens);
  const reads = new Set<string>();
  const writes = new Set<string>();
  // Per open parenthesis: the word before it (function calls whose FROM is not a table).
  const parens: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    const word = token.kind === 'word' ? token.text : '';
    if (token.text === '(') parens.push(tokens[i - 1]?.kind === 'word' ? tokens[i - 1].text : '');
    else if (token.text === ')') parens.pop();
    else if (word === 'into' && ['insert', 'merge'].includes(tokens[i - 1]?.text ?? '')) writes.add(tableName(tokens, i + 1).name);
    else if (word === 'update' && i === 0) writes.add(tableName(tokens, i + 1).name);
    else if (word === 'table' && tokens[i - 1]?.text === 'create') {
      const start = tokens[i + 1]?.text === 'if' ? i + 4 : i + 1; // IF NOT EXISTS
      writes.add(tableName(tokens, start).name);
    } else if (word === 'from' && tokens[i - 1]?.text === 'delete') {
      writes.add(tableName(tokens, i + 1).name);
      i = tableName(tokens, i + 1).end - 1;
    } else if ((word === 'from' || word === 'join' || word === 'using') && !FROM_IN_CALL.has(parens[parens.length - 1] ?? '')) {
      if (word === 'using' && tokens[i + 1]?.text === '(') continue; // JOIN … USING (columns)
      let j = i + 1;
      for (;;) {
        if (tokens[j]?.text === '(' || tokens[j]?.text === 'unnest') break; // a subquery or UNNEST: its own FROMs are visited
        const ref = tableName(tokens, j);
        if (!ctes.has(ref.name)) reads.add(ref.name);
        j = skipAlias(tokens, ref.end);
        if (word !== 'from' || tokens[j]?.text !== ',') break;
        j += 1;
      }
    }
  }
  return { reads: [...reads].sort(), writes: [...writes].sort() };
}

/** The tables a list of statements (one job) reads and writes; a table both read and written counts as written. */
export function jobTables(statements: readonly string[]): TablesTouched {
  const reads = new Set<string>();
  const writes = new Set<string>();
  for (const statement of statements) {
    const touched = tablesTouched(statement);
    touched.reads.forEach((table) => reads.add(table));
    touched.writes.forEach((table) => writes.add(table));
  }
  return { reads: [...reads].filter((table) => !writes.has(table)).sort(), writes: [...writes].sort() };
}

function tableName(tokens: readonly Token[], start: number): { name: string; end: number } {
  const parts: string[] = [];
  let i = start;
  for (;;) {
    const token = tokens[i];
    if (!token || (token.kind !== 'word' && token.kind !== 'name')) {
      throw new LineageError(`static lineage: expected a table name at "${tokens.slice(start, start + 4).map((t) => t.text).join(' ')}"`);
    }
    parts.push(token.text);
    if (tokens[i + 1]?.text !== '.') return { name: parts.join('.'), end: i + 1 };
    i += 2;
  }
}

function skipAlias(tokens: readonly Token[], start: number): number {
  let i = start;
  if (tokens[i]?.text === 'as') i += 1;
  if (tokens[i] && (tokens[i].kind === 'name' || (tokens[i].kind === 'word' && !CLAUSE_WORDS.has(tokens[i].text)))) i += 1;
  return i;
}

/** Names defined by `WITH name AS (` and `, name AS (`. */
function cteNames(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 1; i + 2 < tokens.length; i += 1) {
    if (tokens[i].kind !== 'punct' && tokens[i + 1].text === 'as' && tokens[i + 2].text === '(' && ['with', ','].includes(tokens[i - 1].text)) names.add(tokens[i].text);
  }
  return names;
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const character = sql[i];
    if (/\s/.test(character)) i += 1;
    else if (sql.startsWith('--', i)) i = sql.includes('\n', i) ? sql.indexOf('\n', i) : sql.length;
    else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new LineageError('static lineage: unterminated /* comment');
      i = end + 2;
    } else if (character === "'" || character === '"') {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= sql.length) throw new LineageError(`static lineage: unterminated ${character} quote`);
        if (sql[j] === character && sql[j + 1] === character) {
          text += character;
          j += 2;
        } else if (sql[j] === character) break;
        else text += sql[j++];
      }
      if (character === '"') tokens.push({ kind: 'name', text: text.toLowerCase() });
      else tokens.push({ kind: 'punct', text: "'…'" });
      i = j + 1;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i));
      if (word) {
        tokens.push({ kind: 'word', text: word[0].toLowerCase() });
        i += word[0].length;
      } else {
        const number = /^[0-9][0-9.eE]*/.exec(sql.slice(i));
        const text = number ? number[0] : sql[i];
        tokens.push({ kind: 'punct', text });
        i += text.length;
      }
    }
  }
  return tokens;
}
