/**
 * `rewrite-objects` (erasure workflow, forget phase, raw Parquet datasets): removes the batch's subjects'
 * rows from every object the find query listed.
 *
 * Input `{ batchId, dataset, bucket, keyColumns, manifestKey }` (checked at run time). Reads the batch's
 * subjects file and the dataset's find manifest from the work bucket, then forgets the subjects in each
 * object (object-guard.ts: conditional write, rollback on conflict, removal of older versions), a few
 * objects at a time. Writes `forget/<batchId>/<dataset>.json` (per object: key, versions, row counts,
 * outcome; never a subject id) and returns the summary.
 *
 * Outcomes that do not fail the task: `conflict` (another writer changed the object; the rows are still
 * there, so verification fails and the request is retried by a later batch), `unsupported` (the object is
 * refused and left as it is; verification fails and the alarm asks for a person), `not-found` and
 * `unchanged`. An S3 error on an object (access denied, throttling beyond the SDK's retries) is recorded as
 * `failed`; after the result file is written the task then fails, and the workflow releases the batch.
 *
 * Environment: `WORK_BUCKET`; `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` bounds the object size (see
 * {@link maxObjectBytes}). Metric `RewriteConflicts` (embedded metric format, namespace Lakehouse/Privacy).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { forgetInObject, type ObjectOutcome } from '../object-guard';
import { privacyMetricsDocument } from '../metrics';
import { mapWithConcurrency } from '../../common/map-with-concurrency';
import { forgetResultKey, parseFindManifest, parseRewriteInput, parseSubjectsFile, subjectsFileKey, type ManifestObject } from '../rewrite-inputs';

export interface RewriteObjectsOutput {
  readonly dataset: string;
  readonly objectsRewritten: number;
  readonly objectsDeleted: number;
  readonly rowsRemoved: number;
  readonly versionsRemoved: number;
  readonly conflicts: number;
  readonly resultKey: string;
  /** Beyond the design's fields: what was left alone, and why. */
  readonly objectsUnchanged: number;
  readonly unsupported: number;
  readonly notFound: number;
  readonly failed: number;
}

export type ObjectResult = (ObjectOutcome | { readonly key: string; readonly outcome: 'failed'; readonly error: string }) & { readonly rowsFound: number };

export interface RewriteObjectsDependencies {
  readonly s3: S3Client;
  readonly workBucket: string;
  /** Objects above this size are refused as `unsupported`. */
  readonly maxObjectBytes: number;
  /** Objects rewritten at once. @default 2 */
  readonly concurrency?: number;
  readonly now?: () => Date;
  /** @default console.log of one JSON line */
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** @default console.log of the embedded-metric-format document */
  readonly emitMetrics?: (document: Record<string, unknown>) => void;
}

/**
 * Memory for one object: the bench (bench/privacy-rewrite.ts) measured the rewrite's peak at about 16 times
 * the object's size (its values held as JavaScript values); with two objects at once and room for the
 * runtime, an object may be a fortieth of the function's memory (75 MiB at 3008 MB, 256 MiB at 10240 MB).
 */
export function maxObjectBytes(memoryMiB: number): number {
  return Math.floor((memoryMiB * 1024 * 1024) / 40);
}

export class RewriteIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RewriteIncompleteError';
  }
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await object.Body?.transformToString('utf-8')) ?? '';
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function createRewriteObjects(deps: RewriteObjectsDependencies): (input: unknown) => Promise<RewriteObjectsOutput> {
  const log = deps.log ?? ((message: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ message, ...fields })));
  const emit = deps.emitMetrics ?? ((document: Record<string, unknown>) => console.log(JSON.stringify(document)));
  const now = deps.now ?? (() => new Date());

  return async (raw) => {
    const input = parseRewriteInput(raw);
    const startedAt = now().toISOString();
    const subjects = parseSubjectsFile(await readText(deps.s3, deps.workBucket, subjectsFileKey(input.batchId)), subjectsFileKey(input.batchId));
    const objects = parseFindManifest(await readText(deps.s3, deps.workBucket, input.manifestKey), input);

    const results = await mapWithConcurrency(objects, deps.concurrency ?? 2, async (object: ManifestObject): Promise<ObjectResult> => {
      try {
        const outcome = await forgetInObject(deps.s3, { bucket: input.bucket, key: object.key, keyColumns: input.keyColumns, subjects, maxBytes: deps.maxObjectBytes });
        return { ...outcome, rowsFound: object.rows };
      } catch (error) {
        return { key: object.key, outcome: 'failed', error: describeError(error), rowsFound: object.rows };
      }
    });

    const count = (outcome: ObjectResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
    const sum = (field: 'rowsRemoved' | 'versionsRemoved') => results.reduce((total, result) => total + ((result as Partial<Record<typeof field, number>>)[field] ?? 0), 0);
    const resultKey = forgetResultKey(input.batchId, input.dataset);
    const output: RewriteObjectsOutput = {
      dataset: input.dataset,
      objectsRewritten: count('rewritten'),
      objectsDeleted: count('deleted'),
      rowsRemoved: sum('rowsRemoved'),
      versionsRemoved: sum('versionsRemoved'),
      conflicts: count('conflict'),
      resultKey,
      objectsUnchanged: count('unchanged'),
      unsupported: count('unsupported'),
      notFound: count('not-found'),
      failed: count('failed'),
    };
    const document = { dataset: input.dataset, batchId: input.batchId, bucket: input.bucket, keyColumns: input.keyColumns, startedAt, finishedAt: now().toISOString(), summary: output, objects: results };
    await deps.s3.send(new PutObjectCommand({ Bucket: deps.workBucket, Key: resultKey, Body: JSON.stringify(document, null, 2), ContentType: 'application/json' }));
    emit(privacyMetricsDocument({ RewriteConflicts: output.conflicts }, now().getTime()));
    log('rewrite-objects finished', { batchId: input.batchId, ...output });
    if (output.failed > 0) {
      throw new RewriteIncompleteError(`${output.failed} of ${objects.length} objects of ${input.dataset} could not be processed (S3 errors); per-object errors in s3://${deps.workBucket}/${resultKey}`);
    }
    return output;
  };
}

/** The production wiring from the environment (read once per container). */
export function rewriteObjectsFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): (input: unknown) => Promise<RewriteObjectsOutput> {
  const workBucket = env.WORK_BUCKET;
  if (!workBucket) throw new Error('rewrite-objects: WORK_BUCKET is not set (the privacy construct sets it)');
  const memory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '1024');
  return createRewriteObjects({ s3: new S3Client({ region: env.AWS_REGION }), workBucket, maxObjectBytes: maxObjectBytes(Number.isFinite(memory) && memory > 0 ? memory : 1024) });
}

let run: ((input: unknown) => Promise<RewriteObjectsOutput>) | undefined;
export async function handler(input: unknown): Promise<RewriteObjectsOutput> {
  run ??= rewriteObjectsFromEnvironment();
  return run(input);
}
