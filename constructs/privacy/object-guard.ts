/**
 * Forgetting rows in one S3 object of a versioned bucket without ever losing another writer's data.
 *
 *   GetObject (current version V, ETag E) → rewrite in memory (parquet-rewrite.ts)
 *   → PutObject with `If-Match: E` (S3 conditional write: refused with 412 if the key changed since)
 *   → ListObjectVersions: the version right below ours must be V. Otherwise (a writer slipped in with the
 *     same ETag, which If-Match cannot tell apart) our version is rolled back: DeleteObject of OUR
 *     version id only, and the object is reported as a `conflict` (its request is retried next batch)
 *   → DeleteObject of V and every older version by version id: they still hold the subject's rows.
 * "No rows left" deletes V and every older version instead of writing, and only while V is still the
 * newest version. An object deleted between the read and the write (If-Match answers 404) is reported
 * `not-found`, and V and older versions, now noncurrent, are deleted too: they hold the rows. Delete
 * markers are never removed (one newer than V is someone's deliberate delete).
 *
 * The new version keeps the original's Content-Type, Content-Encoding, Cache-Control,
 * Content-Disposition, Content-Language, storage class, user metadata, tags and SSE-KMS key (the key id is
 * passed when the source had one, with its bucket-key setting). Nothing in an outcome is row data or a
 * subject id: keys, version ids, counts and reasons only.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { rewriteWithoutSubjects, UnsupportedParquetError } from './parquet-rewrite';

export interface ForgetObjectRequest {
  readonly bucket: string;
  readonly key: string;
  readonly keyColumns: readonly string[];
  readonly subjects: ReadonlySet<string>;
  /** Objects larger than this are refused (`unsupported`): the rewrite holds two copies in memory. */
  readonly maxBytes: number;
}

interface Common {
  readonly key: string;
}
export type ObjectOutcome =
  | (Common & { readonly outcome: 'rewritten'; readonly previousVersionId: string; readonly newVersionId: string; readonly rowsBefore: number; readonly rowsRemoved: number; readonly versionsRemoved: number })
  | (Common & { readonly outcome: 'deleted'; readonly previousVersionId: string; readonly rowsRemoved: number; readonly versionsRemoved: number })
  | (Common & { readonly outcome: 'unchanged'; readonly versionId: string; readonly rowsBefore: number })
  | (Common & { readonly outcome: 'conflict'; readonly previousVersionId: string; readonly detail: string })
  | (Common & { readonly outcome: 'not-found'; readonly previousVersionId?: string; readonly versionsRemoved?: number; readonly detail: string })
  | (Common & { readonly outcome: 'unsupported'; readonly versionId?: string; readonly reason: string });

interface VersionEntry {
  readonly versionId: string;
  readonly isLatest: boolean;
}

/** The status of an SDK error, or undefined for anything that did not come back from S3. */
function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Versions (not delete markers) of exactly `key`, newest first, as S3 lists them. */
export async function versionsOf(s3: S3Client, bucket: string, key: string): Promise<VersionEntry[]> {
  const versions: VersionEntry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const version of page.Versions ?? []) {
      if (version.Key === key && version.VersionId) versions.push({ versionId: version.VersionId, isLatest: version.IsLatest === true });
    }
    if (!page.IsTruncated) return versions;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    // Past our key (only longer keys with the same prefix follow): nothing more of ours.
    if (keyMarker !== undefined && keyMarker !== key) return versions;
  }
}

async function deleteVersions(s3: S3Client, bucket: string, key: string, versionIds: readonly string[]): Promise<number> {
  for (const versionId of versionIds) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return versionIds.length;
}

/** `a=b&c=d`, the form PutObject's Tagging takes. */
function taggingHeader(tags: ReadonlyArray<{ Key?: string; Value?: string }>): string | undefined {
  if (tags.length === 0) return undefined;
  return tags.map((tag) => `${encodeURIComponent(tag.Key ?? '')}=${encodeURIComponent(tag.Value ?? '')}`).join('&');
}

/** What the new version must carry over from the one it replaces. */
function carriedOver(source: GetObjectCommandOutput, tagging: string | undefined): Partial<PutObjectCommandInput> {
  const input: Partial<PutObjectCommandInput> = {
    ContentType: source.ContentType,
    ContentEncoding: source.ContentEncoding,
    ContentDisposition: source.ContentDisposition,
    ContentLanguage: source.ContentLanguage,
    CacheControl: source.CacheControl,
    Metadata: source.Metadata,
    Tagging: tagging,
  };
  // STANDARD is not echoed by GetObject; archive classes cannot be read at all, so never reach here.
  if (source.StorageClass) input.StorageClass = source.StorageClass;
  if (source.ServerSideEncryption === 'aws:kms' || source.ServerSideEncryption === 'aws:kms:dsse') {
    input.ServerSideEncryption = source.ServerSideEncryption;
    if (source.SSEKMSKeyId) input.SSEKMSKeyId = source.SSEKMSKeyId;
    if (source.BucketKeyEnabled !== undefined) input.BucketKeyEnabled = source.BucketKeyEnabled;
  }
  return input;
}

async function read(s3: S3Client, request: ForgetObjectRequest): Promise<{ source: GetObjectCommandOutput; bytes: Uint8Array } | ObjectOutcome> {
  let source: GetObjectCommandOutput;
  try {
    source = await s3.send(new GetObjectCommand({ Bucket: request.bucket, Key: request.key }));
  } catch (error) {
    if (httpStatus(error) === 404) return { key: request.key, outcome: 'not-found', detail: 'the object no longer exists (deleted or expired since the find query)' };
    throw error;
  }
  const versionId = source.VersionId;
  if (!versionId || versionId === 'null') {
    await source.Body?.transformToByteArray();
    return { key: request.key, outcome: 'unsupported', reason: 'the bucket is not versioned: a conflicting write could not be rolled back, so nothing is rewritten' };
  }
  if (!source.ETag) {
    await source.Body?.transformToByteArray();
    return { key: request.key, outcome: 'unsupported', versionId, reason: 'S3 returned no ETag: the write could not be made conditional' };
  }
  if ((source.ContentLength ?? 0) > request.maxBytes) {
    source.Body?.transformToWebStream().cancel();
    return { key: request.key, outcome: 'unsupported', versionId, reason: `the object is ${source.ContentLength} bytes, over the ${request.maxBytes}-byte limit of one rewrite` };
  }
  const bytes = (await source.Body?.transformToByteArray()) ?? new Uint8Array();
  return { source, bytes };
}

export async function forgetInObject(s3: S3Client, request: ForgetObjectRequest): Promise<ObjectOutcome> {
  const { bucket, key } = request;
  const fetched = await read(s3, request);
  if ('outcome' in fetched) return fetched;
  const { source, bytes } = fetched;
  const previousVersionId = source.VersionId!;

  let result;
  try {
    result = rewriteWithoutSubjects(bytes, request.keyColumns, request.subjects);
  } catch (error) {
    if (error instanceof UnsupportedParquetError) return { key, outcome: 'unsupported', versionId: previousVersionId, reason: error.reason };
    throw error;
  }
  if (result.kind === 'nothing-matched') return { key, outcome: 'unchanged', versionId: previousVersionId, rowsBefore: result.rowsBefore };

  if (result.kind === 'no-rows-left') {
    const versions = await versionsOf(s3, bucket, key);
    if (versions[0]?.versionId !== previousVersionId) {
      return { key, outcome: 'conflict', previousVersionId, detail: 'a newer version appeared after the read; nothing was deleted' };
    }
    const versionsRemoved = await deleteVersions(s3, bucket, key, versions.map((version) => version.versionId));
    return { key, outcome: 'deleted', previousVersionId, rowsRemoved: result.rowsRemoved, versionsRemoved };
  }

  const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: previousVersionId }));
  let newVersionId: string;
  try {
    const written = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: result.bytes, IfMatch: source.ETag, ...carriedOver(source, taggingHeader(tags.TagSet ?? [])) }),
    );
    if (!written.VersionId) throw new Error(`PutObject of s3://${bucket}/${key} returned no version id`);
    newVersionId = written.VersionId;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 412) return { key, outcome: 'conflict', previousVersionId, detail: 'the object changed after the read (If-Match refused); nothing was written' };
    if (status === 404) {
      // Someone deleted the object (its delete marker stays); the version we read and the older ones are
      // noncurrent now but still hold the rows until the noncurrent-version lifecycle rule: remove them.
      const versions = await versionsOf(s3, bucket, key);
      const read = versions.findIndex((version) => version.versionId === previousVersionId);
      const versionsRemoved = read < 0 ? 0 : await deleteVersions(s3, bucket, key, versions.slice(read).map((version) => version.versionId));
      return { key, outcome: 'not-found', previousVersionId, versionsRemoved, detail: 'the object was deleted after the read; nothing was written, the versions read and older were removed' };
    }
    throw error;
  }

  // If-Match compares ETags only: make sure no other version sits between the one we read and ours.
  const versions = await versionsOf(s3, bucket, key);
  const ours = versions.findIndex((version) => version.versionId === newVersionId);
  if (ours < 0 || versions[ours + 1]?.versionId !== previousVersionId) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: newVersionId }));
    return { key, outcome: 'conflict', previousVersionId, detail: 'another version was written between the read and the write; ours was rolled back' };
  }
  const older = versions.slice(ours + 1).map((version) => version.versionId);
  const versionsRemoved = await deleteVersions(s3, bucket, key, older);
  return { key, outcome: 'rewritten', previousVersionId, newVersionId, rowsBefore: result.rowsBefore, rowsRemoved: result.rowsRemoved, versionsRemoved };
}
