/**
 * The work bucket's layout for one batch, and the two operations on it that matter for privacy:
 *
 * - `subjects/batch_id=<batchId>/subjects.json`: JSON Lines, one `{"subject_id":"<id>"}` per line, the
 *   only place subject ids exist outside the request table while a batch runs (the Glue table
 *   `erasure_subjects` reads it; Athena SQL joins on it, so ids never appear in SQL text);
 * - `find/<batchId>/<dataset>.json` and `forget/<batchId>/<dataset>.json`: manifests without ids.
 *
 * The bucket is versioned, so "deleted" means every version and delete marker under the prefix: a
 * plain DeleteObject would leave the subjects readable as a noncurrent version until lifecycle expiry.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type ObjectIdentifier,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BATCH_ID_PATTERN, FIND_PREFIX, FORGET_PREFIX, SUBJECTS_PREFIX } from './names';

export type S3Send = Pick<S3Client, 'send'>;

export function checkBatchId(batchId: unknown): string {
  if (typeof batchId !== 'string' || !BATCH_ID_PATTERN.test(batchId)) {
    throw new Error(`batchId ${typeof batchId === 'string' ? JSON.stringify(batchId.slice(0, 100)) : `(${typeof batchId})`} must be 1-80 letters, digits, "_" or "-"`);
  }
  return batchId;
}

export function subjectsPrefix(batchId: string): string {
  return `${SUBJECTS_PREFIX}batch_id=${checkBatchId(batchId)}/`;
}

export function subjectsKey(batchId: string): string {
  return `${subjectsPrefix(batchId)}subjects.json`;
}

export function findPrefix(batchId: string): string {
  return `${FIND_PREFIX}${checkBatchId(batchId)}/`;
}

export function forgetPrefix(batchId: string): string {
  return `${FORGET_PREFIX}${checkBatchId(batchId)}/`;
}

/** JSON Lines, one `{"subject_id": …}` per id (sorted, unique), as the Glue table's JSON SerDe reads it. */
export function subjectsFileBody(subjects: readonly string[]): string {
  return [...new Set(subjects)]
    .sort()
    .map((subject) => `${JSON.stringify({ subject_id: subject })}\n`)
    .join('');
}

export async function writeSubjectsFile(s3: S3Send, bucket: string, batchId: string, subjects: readonly string[]): Promise<string> {
  const key = subjectsKey(batchId);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: subjectsFileBody(subjects), ContentType: 'application/x-ndjson' }));
  return key;
}

/** The batch's subject ids (the file the claim step wrote); an empty or malformed file is an error. */
export async function readSubjectsFile(s3: S3Send, bucket: string, batchId: string): Promise<string[]> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: subjectsKey(batchId) }));
  const text = String(await response.Body?.transformToString('utf-8'));
  const subjects: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`subjects file of batch ${batchId}: line ${index + 1} is not JSON`);
    }
    const id = (parsed as { subject_id?: unknown })?.subject_id;
    if (typeof id !== 'string' || id === '') throw new Error(`subjects file of batch ${batchId}: line ${index + 1} has no subject_id string`);
    subjects.push(id);
  });
  if (subjects.length === 0) throw new Error(`subjects file of batch ${batchId} is empty`);
  return subjects;
}

/** Deletes every version and delete marker under `prefix`; returns how many were deleted. */
export async function deleteAllVersions(s3: S3Send, bucket: string, prefix: string): Promise<number> {
  if (prefix === '' || !prefix.endsWith('/')) throw new Error(`refusing to delete versions under ${JSON.stringify(prefix)}: a prefix ending in "/" is required`);
  const all: ObjectIdentifier[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    for (const v of [...(listing.Versions ?? []), ...(listing.DeleteMarkers ?? [])]) all.push({ Key: String(v.Key), VersionId: v.VersionId });
    keyMarker = listing.IsTruncated ? listing.NextKeyMarker : undefined;
    versionMarker = listing.IsTruncated ? listing.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  for (let start = 0; start < all.length; start += 1000) {
    const objects = all.slice(start, start + 1000);
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    if ((result.Errors ?? []).length > 0) {
      const first = result.Errors?.[0];
      throw new Error(`could not delete ${result.Errors?.length} version(s) under s3://${bucket}/${prefix} (first: ${first?.Code}: ${first?.Message})`);
    }
  }
  return all.length;
}
