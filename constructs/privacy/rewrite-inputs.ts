/**
 * What the `rewrite-objects` handler reads, checked at run time (its input is the state machine's JSON and
 * the work bucket's files, so TypeScript's types guard nothing): the task input, the batch's subjects file
 * and the dataset's find manifest. Errors name the field and the shape found, never a subject id.
 * Pure: no AWS SDK.
 */
import { renderValue, type ValidationProblem } from '../common/validation-report';
import { BATCH_ID_PATTERN, FIND_PREFIX, FORGET_PREFIX, SUBJECTS_PREFIX } from './names';

/** Work-bucket layout shared by the privacy handlers (see the erasure design). */
export const subjectsFileKey = (batchId: string): string => `${SUBJECTS_PREFIX}batch_id=${batchId}/subjects.json`;
export const forgetResultKey = (batchId: string, dataset: string): string => `${FORGET_PREFIX}${batchId}/${dataset}.json`;
export const findManifestPrefix = (batchId: string): string => `${FIND_PREFIX}${batchId}/`;

const DATASET = /^[a-z][a-z0-9_]{0,127}$/;
/** S3 general purpose bucket names (3-63 characters, lower case, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

export class RewriteInputError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ValidationProblem[],
  ) {
    super(`Invalid ${source} (nothing was rewritten):\n${problems.map((p) => `  - ${p.field}: got ${p.value}; ${p.allowed}`).join('\n')}`);
    this.name = 'RewriteInputError';
  }
}

export interface RewriteObjectsInput {
  readonly batchId: string;
  readonly dataset: string;
  readonly bucket: string;
  readonly keyColumns: readonly string[];
  readonly manifestKey: string;
}

type Problems = ValidationProblem[];
const problem = (source: string, field: string, value: unknown, allowed: string): ValidationProblem => ({ source, field, value: renderValue(value), allowed });

export function parseRewriteInput(input: unknown): RewriteObjectsInput {
  const source = 'rewrite-objects input';
  const problems: Problems = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new RewriteInputError(source, [problem(source, '(root)', input, 'an object { batchId, dataset, bucket, keyColumns, manifestKey }')]);
  const value = input as Record<string, unknown>;
  const check = (field: string, ok: boolean, allowed: string) => {
    if (!ok) problems.push(problem(source, field, value[field], allowed));
  };
  const known = ['batchId', 'dataset', 'bucket', 'keyColumns', 'manifestKey'];
  for (const field of Object.keys(value)) if (!known.includes(field)) problems.push(problem(source, field, value[field], `remove it: the fields are ${known.join(', ')}`));
  check('batchId', typeof value.batchId === 'string' && BATCH_ID_PATTERN.test(value.batchId), 'letters, digits, _ and -, 1 to 80 characters');
  check('dataset', typeof value.dataset === 'string' && DATASET.test(value.dataset), 'a dataset name (snake_case)');
  check('bucket', typeof value.bucket === 'string' && BUCKET.test(value.bucket) && !value.bucket.includes('..'), 'an S3 bucket name');
  const columns = value.keyColumns;
  check(
    'keyColumns',
    Array.isArray(columns) && columns.length > 0 && columns.every((column) => typeof column === 'string' && COLUMN.test(column)) && new Set(columns).size === columns.length,
    "a non-empty list of distinct column names, the dataset's dataSubject.keys",
  );
  const prefix = typeof value.batchId === 'string' ? findManifestPrefix(value.batchId) : 'find/<batchId>/';
  check('manifestKey', typeof value.manifestKey === 'string' && value.manifestKey === `${prefix}${String(value.dataset)}.json`, `the find manifest of this batch and dataset, ${prefix}<dataset>.json`);
  if (problems.length) throw new RewriteInputError(source, problems);
  return { batchId: value.batchId as string, dataset: value.dataset as string, bucket: value.bucket as string, keyColumns: columns as string[], manifestKey: value.manifestKey as string };
}

/** The subjects file: JSON Lines of `{"subject_id":"<id>"}`; blank lines are ignored. */
export function parseSubjectsFile(text: string, key: string): Set<string> {
  const source = `subjects file ${key}`;
  const subjects = new Set<string>();
  const problems: Problems = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const id = (parsed as { subject_id?: unknown } | undefined)?.subject_id;
    // The line is not echoed: it may hold a subject id.
    if (typeof id !== 'string' || id === '') problems.push({ source, field: `line ${index + 1}`, value: '(not shown: it may hold a subject id)', allowed: 'one JSON object {"subject_id":"<non-empty string>"} per line' });
    else subjects.add(id);
  });
  if (problems.length) throw new RewriteInputError(source, problems);
  return subjects;
}

export interface ManifestObject {
  readonly bucket: string;
  readonly key: string;
  /** Rows the find query counted in this object. */
  readonly rows: number;
}

/** The find manifest's objects of `input.dataset` in `input.bucket`, one entry per key. */
export function parseFindManifest(text: string, input: RewriteObjectsInput): ManifestObject[] {
  const source = `find manifest ${input.manifestKey}`;
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new RewriteInputError(source, [{ source, field: '(root)', value: '(not JSON)', allowed: `JSON (${(error as Error).message})` }]);
  }
  const problems: Problems = [];
  const value = (manifest ?? {}) as Record<string, unknown>;
  if (value.dataset !== input.dataset) problems.push(problem(source, 'dataset', value.dataset, `"${input.dataset}", the dataset this task rewrites`));
  if (value.batchId !== input.batchId) problems.push(problem(source, 'batchId', value.batchId, `"${input.batchId}", this task's batch`));
  if (!Array.isArray(value.objects)) problems.push(problem(source, 'objects', value.objects, 'a list of { bucket, key, rows }'));
  const byKey = new Map<string, ManifestObject>();
  (Array.isArray(value.objects) ? value.objects : []).forEach((entry: unknown, index) => {
    const object = (entry ?? {}) as Record<string, unknown>;
    const at = `objects[${index}]`;
    if (object.bucket !== input.bucket) problems.push(problem(source, `${at}.bucket`, object.bucket, `"${input.bucket}", the dataset's bucket (an object elsewhere is not this dataset's)`));
    if (typeof object.key !== 'string' || object.key === '' || object.key.length > 1024) problems.push(problem(source, `${at}.key`, object.key, 'an S3 object key'));
    if (typeof object.rows !== 'number' || !Number.isInteger(object.rows) || object.rows < 0) problems.push(problem(source, `${at}.rows`, object.rows, 'a row count (integer >= 0)'));
    if (typeof object.key === 'string' && typeof object.rows === 'number') {
      const earlier = byKey.get(object.key);
      byKey.set(object.key, { bucket: input.bucket, key: object.key, rows: (earlier?.rows ?? 0) + object.rows });
    }
  });
  if (problems.length) throw new RewriteInputError(source, problems);
  return [...byKey.values()];
}
