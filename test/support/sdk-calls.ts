/**
 * What a privacy handler's code can send to AWS, read from its source: the handler file and every repo
 * module it imports (transitively), narrowed by names to the functions and methods the handler can reach
 * (a module's unused exports, say RequestStore.enqueue for `record`, do not count). Each
 * `new <Name>Command({ … })` found becomes the IAM actions it needs, with the variants its arguments
 * ask for (a VersionId, tags, an object lock). Text-level on purpose: no type checker, so it stays fast;
 * a name shared by two modules can only add calls, never hide one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface SdkCall {
  /** `S3.GetObject`, `DynamoDB.UpdateItem`, `RDS.Signer` … */
  readonly command: string;
  readonly file: string;
  readonly actions: readonly string[];
}

interface Unit {
  readonly file: string;
  readonly name: string;
  readonly body: string;
  /** A class member (column 2): reached only through `<receiver>.<name>(`. */
  readonly member: boolean;
}

/** Which client package a command comes from, by the import that names it. */
const SERVICES: Record<string, { prefix: string; label: string }> = {
  '@aws-sdk/client-s3': { prefix: 's3', label: 'S3' },
  '@aws-sdk/client-dynamodb': { prefix: 'dynamodb', label: 'DynamoDB' },
  '@aws-sdk/client-secrets-manager': { prefix: 'secretsmanager', label: 'SecretsManager' },
  '@aws-sdk/client-athena': { prefix: 'athena', label: 'Athena' },
  '@aws-sdk/client-sfn': { prefix: 'states', label: 'StepFunctions' },
};

/** S3 commands whose IAM action is not `s3:<Command>`. */
const S3_ACTIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  DeleteObjects: 's3:DeleteObject',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
};

/** `handlers/<name>.ts` and the repo files it imports (not `import type`), transitively. */
export function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^import (?!type )[^;]*?from '(\.[^']+)';/gms)) {
      const target = resolveModule(dirname(file), match[1]);
      if (target) visit(target);
    }
  };
  visit(resolve(ROOT, entry));
  return [...seen];
}

function resolveModule(from: string, specifier: string): string | undefined {
  for (const candidate of [`${specifier}.ts`, join(specifier, 'index.ts')]) {
    const path = resolve(from, candidate);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Top-level declarations (column 0) and class members (column 2) of a file, each with its text up to
 * the next one. The repo's formatter (prettier) keeps that layout, so it is a reliable cut.
 */
function unitsOf(file: string): Unit[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const starts: Array<{ line: number; name: string; member: boolean }> = [];
  lines.forEach((line, index) => {
    const top = /^(?:export )?(?:default )?(?:async )?(?:function\*? |const |let |class )(\w+)/.exec(line);
    const member = /^ {2}(?:(?:public|private|protected|static|readonly|async) )*(\w+)\s*(?:<[^>]*>)?\(/.exec(line);
    const name = top?.[1] ?? member?.[1];
    if (name && !['if', 'for', 'while', 'switch', 'return', 'catch'].includes(name)) starts.push({ line: index, name, member: !top });
  });
  return starts.map((start, i) => ({ file, name: start.name, member: start.member, body: lines.slice(start.line, starts[i + 1]?.line ?? lines.length).join('\n') }));
}

const called = (text: string): Set<string> => new Set([...text.matchAll(/\b(\w+)\s*(?:<[^>()]*>)?\(/g)].map((match) => match[1]));

/**
 * Method names called on something other than a local Map or Set (`files.get(id)` is not
 * `RequestStore.get`): what can reach a class member.
 */
function methodsCalled(text: string): Set<string> {
  const collections = new Set([...text.matchAll(/\b(\w+)\s*(?::\s*(?:Map|Set)<[^=]*)?=\s*new (?:Map|Set)\b/g)].map((match) => match[1]));
  return new Set([...text.matchAll(/\b(\w+)\s*\.\s*(\w+)\s*(?:<[^>()]*>)?\(/g)].filter((match) => !collections.has(match[1])).map((match) => match[2]));
}

/** The argument text of a call starting at `open` (the index of its `(`), braces and parentheses balanced. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1);
}

/** Every SDK call the handler's code can reach, with the IAM actions each needs. */
export function sdkCallsOf(handlerFile: string): SdkCall[] {
  const files = moduleClosure(handlerFile);
  const entry = resolve(ROOT, handlerFile);
  const units = files.flatMap(unitsOf);
  const reached = new Set<Unit>(units.filter((unit) => unit.file === entry));
  const queue = [...reached];
  while (queue.length > 0) {
    const unit = queue.pop()!;
    const names = called(unit.body);
    const methods = methodsCalled(unit.body);
    for (const other of units) {
      if (!reached.has(other) && (other.member ? methods.has(other.name) : names.has(other.name))) {
        reached.add(other);
        queue.push(other);
      }
    }
  }

  const calls: SdkCall[] = [];
  for (const unit of reached) {
    const source = readFileSync(unit.file, 'utf8');
    const file = relative(ROOT, unit.file);
    // A unit's helpers in its file (carriedOver for PutObject's tags): their text counts as its arguments.
    const helpers = units.filter((other) => other.file === unit.file && called(unit.body).has(other.name) && other !== unit).map((other) => other.body).join('\n');
    for (const match of unit.body.matchAll(/new (\w+)Command\(/g)) {
      const command = match[1];
      const pkg = Object.entries(SERVICES).find(([name]) => new RegExp(`\\b${command}Command\\b[^;]*from '${name}'`, 's').test(source));
      if (!pkg) continue;
      const args = argumentsAt(unit.body, match.index + match[0].length - 1);
      calls.push({ command: `${pkg[1].label}.${command}`, file, actions: actionsFor(pkg[1].prefix, command, args, `${unit.body}\n${helpers}`) });
    }
    if (/new Signer\(/.test(unit.body) && /from '@aws-sdk\/rds-signer'/.test(source)) calls.push({ command: 'RDS.Signer', file, actions: ['rds-db:connect'] });
  }
  return calls;
}

function actionsFor(prefix: string, command: string, args: string, context: string): string[] {
  if (prefix !== 's3') return [`${prefix}:${command}`];
  const actions = [S3_ACTIONS[command] ?? `s3:${command}`];
  const versioned = /\bVersionId\b/.test(args) || (command === 'DeleteObjects' && /\bVersionId\b/.test(context));
  if (versioned && command === 'GetObject') actions.push('s3:GetObjectVersion');
  // A delete by version id is DeleteObjectVersion alone; a batch may hold both kinds (a version id can be absent).
  if (versioned && command === 'DeleteObject') actions.splice(0, 1, 's3:DeleteObjectVersion');
  if (versioned && command === 'DeleteObjects') actions.push('s3:DeleteObjectVersion');
  if (versioned && command === 'GetObjectTagging') actions.splice(0, 1, 's3:GetObjectVersionTagging');
  // PutObject's tags and lock come in through spread helpers: the enclosing function's text decides.
  if (command === 'PutObject' && /\bTagging:/.test(context)) actions.push('s3:PutObjectTagging');
  if (command === 'PutObject' && /\bObjectLockMode:/.test(context)) actions.push('s3:PutObjectRetention');
  return actions;
}
