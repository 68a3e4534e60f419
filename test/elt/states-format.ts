/**
 * A reference evaluator of `States.Format('…', path, …)` as the Step Functions developer guide documents
 * it ("Intrinsic functions", States.Format and "Reserved characters in intrinsic functions"):
 * - the literal is in single quotes; `'`, `{`, `}` and `\` are reserved and written `\'`, `\{`, `\}`, `\\`;
 *   any other backslash ("an open escape backslash") is a runtime error;
 * - each unescaped `{}` is replaced, in order, by the value of the positionally corresponding argument,
 *   and there must be as many arguments as `{}`.
 *
 * Written independently of constructs/elt/steps.ts so that the escaping there is checked against the
 * documented grammar, not against itself. (moto's Step Functions interpreter cannot serve as the oracle:
 * it formats with Python's str.format and leaves `\'` escaped.)
 */

type Segment = { kind: 'text'; text: string } | { kind: 'argument' };

export class IntrinsicError extends Error {}

/** Evaluates the call against a state input (`$.…`) and context (`$$.…`). */
export function evaluateStatesFormat(expression: string, input: unknown, context: unknown = {}): string {
  const prefix = "States.Format('";
  if (!expression.startsWith(prefix)) throw new IntrinsicError(`not a States.Format call with a literal first argument: ${expression.slice(0, 40)}`);
  const segments: Segment[] = [];
  let text = '';
  let i = prefix.length;
  for (;;) {
    if (i >= expression.length) throw new IntrinsicError('unterminated string literal');
    const character = expression[i];
    if (character === '\\') {
      const next = expression[i + 1];
      if (next === undefined || !"'{}\\".includes(next)) throw new IntrinsicError(`open escape backslash at ${i}`);
      text += next;
      i += 2;
    } else if (character === "'") {
      i += 1;
      break;
    } else if (character === '{') {
      if (expression[i + 1] !== '}') throw new IntrinsicError(`unescaped { at ${i} that does not start {}`);
      segments.push({ kind: 'text', text }, { kind: 'argument' });
      text = '';
      i += 2;
    } else if (character === '}') {
      throw new IntrinsicError(`unescaped } at ${i}`);
    } else {
      text += character;
      i += 1;
    }
  }
  segments.push({ kind: 'text', text });
  const rest = expression.slice(i);
  const match = /^((?:\s*,\s*\$\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)+)*)\s*\)$/.exec(rest);
  if (!match) throw new IntrinsicError(`bad argument list: ${rest.slice(0, 60)}`);
  const paths = match[1].split(',').map((part) => part.trim()).filter((part) => part !== '');
  const placeholders = segments.filter((segment) => segment.kind === 'argument').length;
  if (paths.length !== placeholders) throw new IntrinsicError(`${placeholders} {} but ${paths.length} arguments`);
  const values = paths.map((path) => {
    const [root, ...members] = path.startsWith('$$.') ? ['$$', ...path.slice(3).split('.')] : ['$', ...path.slice(2).split('.')];
    let value: unknown = root === '$$' ? context : input;
    for (const member of members) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[member] : undefined;
    if (value === undefined) throw new IntrinsicError(`${path} is not in the input`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  let argument = 0;
  return segments.map((segment) => (segment.kind === 'text' ? segment.text : values[argument++])).join('');
}
