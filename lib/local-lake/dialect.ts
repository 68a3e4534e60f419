/**
 * Athena (engine 3, Trino) SQL → DuckDB SQL, with as few rewrites as possible, so that the product's
 * named queries, ELT statements and data-quality queries run unchanged in meaning on an embedded engine
 * (tests, `npm run lake:local`). docs/local-lake.md has the table of rewrites and what still differs.
 *
 * Principle: DuckDB already accepts most of this SQL as it is (CTEs, `DATE '…'`, `INTERVAL '7' DAY`,
 * `count_if`, `min_by`, `ROW(…)`, struct access `traits.source`, `"db"."table"` as schema.table). Only
 * functions whose name or meaning differs are rewritten, and every function call must be either known to
 * mean the same in both engines or rewritten: anything else throws DialectError instead of passing
 * through something DuckDB might compute differently. The engine session (engine.ts) also sets
 * `integer_division = true` (Trino's `/` on integers truncates) and the time zone to UTC (Athena's).
 */
import { DialectError, matchingParen, nextSignificant, splitArguments, text, tokenize, type Token } from './sql-tokens';

export { DialectError } from './sql-tokens';

export interface DialectOptions {
  /**
   * The value of `current_date`, `yyyy-mm-dd`. Pinned so that queries relative to today give the same
   * answer on every run; SQL that reads `current_date` without it is refused.
   */
  readonly today?: string;
  /**
   * Tables (`database.table`) whose companion view in `<database>$path` adds Athena's hidden `"$path"`
   * column. A statement that reads `"$path"` reads these tables from their companions. @default none
   */
  readonly pathTables?: ReadonlySet<string>;
}

/** Functions that mean the same in Trino and DuckDB for the argument types the product's SQL uses. */
const SAME_FUNCTIONS = new Set([
  'count', 'sum', 'min', 'max', 'avg', 'coalesce', 'nullif', 'min_by', 'max_by', 'count_if', 'row', 'lower', 'upper', 'abs', 'try',
  // length counts characters in both; row_number is the same window function; cardinality(map) is the
  // entry count in both (DuckDB's fails loudly on arrays); map_entries lists key/value pairs in both
  // (Trino rows, DuckDB structs: only their rendered text differs, see json_format).
  'length', 'row_number', 'cardinality', 'map_entries',
]);

/** What Trino's trim() removes (Java whitespace, ASCII part); DuckDB's trim(x) removes only spaces. */
const TRIM_CHARACTERS = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";

/** Words that may be followed by `(` without being a function call. */
const KEYWORDS = new Set([
  'as', 'in', 'exists', 'values', 'from', 'join', 'on', 'and', 'or', 'not', 'when', 'then', 'else', 'between', 'select', 'where',
  'over', 'all', 'having', 'by', 'using', 'is', 'distinct', 'case', 'with', 'union', 'end', 'like', 'into', 'filter', 'decimal', 'varchar', 'char',
]);

/** Constructs whose Trino and DuckDB forms differ in ways no single rewrite covers. */
const REFUSED_WORDS: Readonly<Record<string, string>> = {
  unnest: 'UNNEST (Trino CROSS JOIN UNNEST … WITH ORDINALITY has no one-to-one DuckDB form)',
  tablesample: 'TABLESAMPLE (the engines sample differently)',
  lateral: 'LATERAL',
  merge: 'MERGE (Iceberg MERGE is not mapped; the ELT uses DELETE + INSERT)',
  zone: 'AT TIME ZONE (zone rules differ between the engines)',
};

/** date_format specifiers that Trino (MySQL style) and DuckDB strftime read the same way. */
const SAME_FORMAT_SPECIFIERS = new Set(['%Y', '%m', '%d', '%H']);
/** Regular-expression features RE2 (DuckDB) lacks or reads differently from Java (Trino). */
const RE2_UNSUPPORTED = /\(\?[=!<]|\\[1-9]|[*+?}]\+/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UNITS = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']);

/** The DuckDB form of one Athena statement; throws DialectError for anything it cannot map faithfully. */
export function toDuckDb(sql: string, options: DialectOptions = {}): string {
  if (options.today !== undefined && !DAY.test(options.today)) throw new DialectError(`today "${options.today}" must be yyyy-mm-dd`);
  const tokens = tokenize(sql);
  if (/\{\{[a-z_]+\}\}/.test(sql)) throw new DialectError('the statement still has a {{placeholder}}: render it first');
  if (tokens.some((token) => token.text === ';')) throw new DialectError('one statement at a time (Athena runs one per query): remove the ";"');
  return rewrite(withPathColumn(tokens, options.pathTables ?? new Set()), options).trim();
}

/**
 * Athena's hidden `"$path"` column (the object or data file a row is stored in): a statement that reads it
 * reads each `"database"."table"` with a companion view from that view instead (same table name, schema
 * `<database>$path`), so the table keeps its own name as its alias. Statements without `"$path"` are
 * left as they are (a companion view costs a column per row).
 */
function withPathColumn(tokens: readonly Token[], pathTables: ReadonlySet<string>): readonly Token[] {
  if (!tokens.some((token) => token.kind === 'quoted' && token.text.toLowerCase() === '"$path"')) return tokens;
  const out = [...tokens];
  let swapped = false;
  const name = (token: Token | undefined) => {
    if (token?.kind === 'quoted') return token.text.slice(1, -1).replace(/""/g, '"').toLowerCase();
    return token?.kind === 'word' ? token.text.toLowerCase() : undefined;
  };
  for (let i = 0; i + 2 < out.length; i += 1) {
    const database = name(out[i]);
    const table = name(out[i + 2]);
    if (database === undefined || table === undefined || out[i + 1].text !== '.' || !pathTables.has(`${database}.${table}`)) continue;
    out[i] = { kind: 'quoted', text: `"${database}$path"` };
    swapped = true;
    i += 2;
  }
  if (!swapped) throw new DialectError('"$path" is read from a table the local lake attached (attachParquet or createTable): name it as "database"."table"');
  return out;
}

function rewrite(tokens: readonly Token[], options: DialectOptions): string {
  let out = '';
  // After INTO, the first `name (` is the target table's column list, not a call.
  let afterInto = false;
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token.kind !== 'word') {
      // `INTO "db"."table" (`: a quoted table name's column list.
      if (afterInto && token.text === '(') afterInto = false;
      out += token.text;
      continue;
    }
    const word = token.text.toLowerCase();
    if (REFUSED_WORDS[word]) throw new DialectError(`${REFUSED_WORDS[word]} is not supported by the local lake`);
    if (word === 'current_date') {
      if (options.today === undefined) throw new DialectError('current_date needs a pinned day: pass today (yyyy-mm-dd)');
      out += `DATE '${options.today}'`;
      continue;
    }
    if (word === 'into') afterInto = true;
    const open = nextSignificant(tokens, i + 1);
    const isCall = open !== -1 && tokens[open].text === '(';
    if (isCall && afterInto && !KEYWORDS.has(word)) {
      afterInto = false;
      out += token.text;
      continue;
    }
    if (!isCall || KEYWORDS.has(word)) {
      out += token.text;
      continue;
    }
    const close = matchingParen(tokens, open);
    out += call(word, token.text, tokens.slice(open, close + 1), options);
    i = close;
  }
  return out;
}

/** One function call; `group` is its parenthesised argument list, `(` … `)`. */
function call(name: string, written: string, group: readonly Token[], options: DialectOptions): string {
  const args = splitArguments(group, 0, group.length - 1);
  const arg = (index: number) => rewrite(args[index], options).trim();
  const arity = (count: number) => {
    if (args.length !== count) throw new DialectError(`${name}() takes ${count} arguments here, got ${args.length}`);
  };
  if (SAME_FUNCTIONS.has(name)) return `${written}(${rewrite(group.slice(1, -1), options)})`;
  switch (name) {
    case 'cast':
      return castCall(written, group, options);
    case 'map':
      // MAP(ARRAY[keys], ARRAY[values]) and the empty MAP() build the same map in both engines.
      return `${written}(${rewrite(group.slice(1, -1), options)})`;
    case 'contains':
      arity(2);
      // Trino's contains(array, element); DuckDB's contains() is for strings, list_contains for lists.
      return `list_contains(${arg(0)}, ${arg(1)})`;
    case 'date_format': {
      arity(2);
      return `strftime(${arg(0)}, ${formatLiteral(args[1])})`;
    }
    case 'date_trunc': {
      arity(2);
      const unit = unitLiteral(args[0], name);
      // DuckDB's date_trunc of a DATE is a TIMESTAMP; Trino's is a DATE.
      if (typeOf(args[1]) === 'date') return `CAST(date_trunc(${unit}, ${arg(1)}) AS DATE)`;
      if (typeOf(args[1]) === 'timestamp') return `date_trunc(${unit}, ${arg(1)})`;
      throw new DialectError(`date_trunc(${text(args[1])}): write the argument as CAST(… AS date) or CAST(… AS timestamp) so its type is known`);
    }
    case 'date_add': {
      arity(3);
      const unit = unitLiteral(args[0], name).slice(1, -1).toUpperCase();
      const sum = `(${arg(2)} + INTERVAL (${arg(1)}) ${unit})`;
      return typeOf(args[2]) === 'date' ? `CAST(${sum} AS DATE)` : sum;
    }
    case 'date_diff':
      arity(3);
      // DuckDB's date_diff counts unit boundaries crossed; its date_sub counts complete units, as Trino's date_diff does.
      return `date_sub(${unitLiteral(args[0], name)}, ${arg(1)}, ${arg(2)})`;
    case 'last_day_of_month':
      arity(1);
      return `last_day(${arg(0)})`;
    case 'from_iso8601_timestamp':
      arity(1);
      return `CAST(${arg(0)} AS TIMESTAMPTZ)`;
    case 'to_unixtime':
      arity(1);
      return `epoch(${arg(0)})`;
    case 'regexp_like': {
      arity(2);
      const pattern = text(args[1]);
      if (!/^'(?:[^']|'')*'$/.test(pattern)) throw new DialectError('regexp_like: the pattern must be a string literal, so that it can be checked for RE2');
      if (RE2_UNSUPPORTED.test(pattern)) throw new DialectError(`regexp_like(${pattern}): lookaround, back-references and possessive quantifiers are Java-only; DuckDB's RE2 lacks them`);
      return `regexp_matches(${arg(0)}, ${pattern})`;
    }
    case 'element_at':
      arity(2);
      // Trino's element_at(map, key) is NULL for a missing key; so is DuckDB's map_extract_value (arrays fail loudly).
      return `map_extract_value(${arg(0)}, ${arg(1)})`;
    case 'trim':
      arity(1);
      // Unicode separators (U+2000…) are whitespace to Trino and not removed here: documented difference.
      return `trim(${arg(0)}, ${TRIM_CHARACTERS})`;
    case 'to_hex':
      arity(1);
      return md5Hex(args[0], options);
    case 'json_format':
      arity(1);
      return `CAST(to_json(${castToJsonOperand(args[0], options)}) AS VARCHAR)`;
    case 'array_sort':
      // Both sort ascending with nulls last; the comparator form array_sort(a, (x, y) -> …) is not mapped.
      arity(1);
      return `list_sort(${arg(0)})`;
    case 'approx_distinct':
      arity(1);
      // Exact where Athena estimates (HyperLogLog, about 2.3 % standard error): results can differ slightly on large data.
      return `count(DISTINCT ${arg(0)})`;
    default:
      throw new DialectError(`${written}() has no documented DuckDB mapping (docs/local-lake.md); add one with a test rather than passing it through`);
  }
}

/**
 * CAST(expression AS type): the expression is rewritten like any other, the type from Trino's spelling
 * (`ARRAY(T)`, `ROW(name T, …)`, `MAP(K, V)`) to DuckDB's (`T[]`, `STRUCT(name T, …)`, `MAP(K, V)`);
 * scalar types (varchar, bigint, date, timestamp, decimal(p,s), …) are spelt the same.
 */
function castCall(written: string, group: readonly Token[], options: DialectOptions): string {
  let depth = 0;
  let as = -1;
  for (let i = 1; i < group.length - 1 && as === -1; i += 1) {
    const token = group[i];
    if (token.text === '(') depth += 1;
    else if (token.text === ')') depth -= 1;
    else if (depth === 0 && token.kind === 'word' && token.text.toLowerCase() === 'as') as = i;
  }
  if (as === -1) throw new DialectError('CAST without AS <type>');
  return `${written}(${rewrite(group.slice(1, as), options).trim()} AS ${castType(group.slice(as + 1, -1))})`;
}

function castType(tokens: readonly Token[]): string {
  const significant = tokens.filter((token) => token.kind !== 'space');
  const head = significant[0]?.text.toLowerCase();
  if (significant.length === 0 || significant[0].kind !== 'word') throw new DialectError(`CAST: "${text(tokens).trim()}" is not a type`);
  if (significant.length === 1 || !['array', 'row', 'map'].includes(head)) return text(tokens).trim();
  if (significant[1].text !== '(' || matchingParen(significant, 1) !== significant.length - 1) throw new DialectError(`CAST: "${text(tokens).trim()}" is not a type`);
  const parts = splitArguments(significant, 1, significant.length - 1);
  if (head === 'array') {
    if (parts.length !== 1) throw new DialectError('CAST: ARRAY(T) takes one element type');
    return `${castType(parts[0])}[]`;
  }
  if (head === 'map') {
    if (parts.length !== 2) throw new DialectError('CAST: MAP(K, V) takes a key and a value type');
    return `MAP(${castType(parts[0])}, ${castType(parts[1])})`;
  }
  const fields = parts.map((part) => {
    const [field, ...type] = part.filter((token) => token.kind !== 'space');
    if (!field || (field.kind !== 'word' && field.kind !== 'quoted') || type.length === 0) throw new DialectError('CAST: ROW fields are written "name type"');
    return `${field.text} ${castType(type)}`;
  });
  return `STRUCT(${fields.join(', ')})`;
}

/**
 * `to_hex(md5(to_utf8(x)))`, the hex md5 of a string, is DuckDB's `upper(md5(x))` (DuckDB's md5 of a
 * VARCHAR is already lowercase hex of its UTF-8 bytes; Trino's to_hex is uppercase). Only this whole
 * form is mapped: DuckDB has no varbinary md5 that to_hex could wrap.
 */
function md5Hex(argument: readonly Token[], options: DialectOptions): string {
  const md5 = innerCall(argument, 'md5');
  const utf8 = md5 && md5.length === 1 ? innerCall(md5[0], 'to_utf8') : undefined;
  if (!utf8 || utf8.length !== 1) throw new DialectError('to_hex() is mapped only as to_hex(md5(to_utf8(<string>)))');
  return `upper(md5(${rewrite(utf8[0], options).trim()}))`;
}

/**
 * `json_format(CAST(x AS JSON))` renders x as JSON text in both engines. The text differs between them
 * (Trino writes a row as an array, DuckDB a struct as an object): use it for fingerprints that stay
 * within one engine, never for values compared across engines.
 */
function castToJsonOperand(argument: readonly Token[], options: DialectOptions): string {
  const cast = innerCall(argument, 'cast');
  const significant = cast?.[0].filter((token) => token.kind !== 'space') ?? [];
  const [as, type] = significant.slice(-2).map((token) => token.text.toLowerCase());
  if (!cast || cast.length !== 1 || as !== 'as' || type !== 'json') throw new DialectError('json_format() is mapped only as json_format(CAST(<value> AS JSON))');
  const operand = cast[0].slice(0, cast[0].map((token) => token.text.toLowerCase()).lastIndexOf('as'));
  return rewrite(operand, options).trim();
}

/** The argument lists of `argument` when it is exactly one call of `name`, else undefined. */
function innerCall(argument: readonly Token[], name: string): Token[][] | undefined {
  const first = nextSignificant(argument, 0);
  if (first === -1 || argument[first].text.toLowerCase() !== name) return undefined;
  const open = nextSignificant(argument, first + 1);
  if (open === -1 || argument[open].text !== '(') return undefined;
  const close = matchingParen(argument, open);
  if (nextSignificant(argument, close + 1) !== -1) return undefined;
  return splitArguments(argument, open, close);
}

function formatLiteral(tokens: readonly Token[]): string {
  const literal = text(tokens);
  if (!/^'[^']*'$/.test(literal)) throw new DialectError('date_format: the format must be a string literal');
  for (const specifier of literal.match(/%./g) ?? []) {
    if (!SAME_FORMAT_SPECIFIERS.has(specifier)) {
      throw new DialectError(`date_format specifier ${specifier} means something else in DuckDB strftime (mapped: ${[...SAME_FORMAT_SPECIFIERS].join(' ')})`);
    }
  }
  return literal;
}

function unitLiteral(tokens: readonly Token[], name: string): string {
  const literal = text(tokens).toLowerCase();
  if (!/^'[a-z]+'$/.test(literal) || !UNITS.has(literal.slice(1, -1))) throw new DialectError(`${name}: the unit must be one of ${[...UNITS].join(', ')}, as a string literal`);
  return literal;
}

/** The type of an expression when its text shows it (a typed literal, current_date, a CAST); else undefined. */
function typeOf(tokens: readonly Token[]): 'date' | 'timestamp' | undefined {
  const significant = tokens.filter((token) => token.kind !== 'space');
  const first = significant[0]?.text.toLowerCase();
  if (significant.length === 1 && first === 'current_date') return 'date';
  if (significant.length === 2 && significant[1].kind === 'string' && (first === 'date' || first === 'timestamp')) return first;
  if (first === 'cast' && significant[1]?.text === '(' && matchingParen(significant, 1) === significant.length - 1) {
    const type = significant[significant.length - 2].text.toLowerCase();
    if (significant[significant.length - 3].text.toLowerCase() === 'as' && (type === 'date' || type === 'timestamp')) return type;
  }
  if ((first === 'date_trunc' || first === 'last_day_of_month') && significant[1]?.text === '(' && matchingParen(significant, 1) === significant.length - 1) {
    const args = splitArguments(significant, 1, significant.length - 1);
    return typeOf(args[args.length - 1]);
  }
  return undefined;
}
