/**
 * Proof that the Iceberg data files which held erased rows are physically gone.
 *
 * An Athena `DELETE` + `OPTIMIZE … REWRITE DATA` leaves the old data files in place: older snapshots still
 * reference them until `VACUUM` expires those snapshots, which it only does once they are older than the
 * table's snapshot horizon (`vacuum_max_snapshot_age_seconds`, the contract's `iceberg.snapshotRetentionDays`).
 * VACUUM then deletes the files, which on a versioned bucket leaves each one as a noncurrent version
 * behind a delete marker. So, per file, after its horizon:
 * - no current version: removed as intended; its noncurrent versions (and delete markers) are deleted now,
 *   by version id, instead of waiting for the noncurrent-version lifecycle rule;
 * - still current more than a day after the horizon: overdue. That is what a VACUUM without
 *   s3:DeleteObject looks like (it succeeds and deletes nothing), or a VACUUM that never ran.
 *
 * Which files: the ledger. `record` writes, in each closed request's entry
 * (`ledger/<yyyy>/<mm>/<requestId>.<batchId>.json`), the field
 *
 *     "pendingPhysicalRemoval": [ { "bucket": "<lake bucket>", "key": "<data file key>", "notBefore": "<ISO time>" } ]
 *
 * listing the Iceberg data files the find phase returned (`"$path"`) and, as `notBefore`, the time after
 * which the table's snapshot horizon has passed (close time + the table's snapshot retention). The ledger
 * is Object-Locked and kept for years, unlike the work bucket's find manifests (2 days), so the check reads
 * it; the entries are immutable, so the check is a pure function of the ledger and the lake, repeated daily
 * over the entries written in the last `lookbackDays`.
 *
 * A request closed as `awaiting-physical-removal` becomes `completed` once every file its entry lists is
 * gone (removed by this run or earlier): the check calls `closeRequest` with the entry's `requestId`. The
 * request store's update is conditional on the status, so the daily repeats change nothing.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { LEDGER_PREFIX } from './names';
import { mapWithConcurrency } from '../common/map-with-concurrency';

export interface PendingFile {
  readonly bucket: string;
  readonly key: string;
  readonly notBefore: string;
}

export type FileState = 'removed' | 'gone' | 'pending' | 'overdue';

export interface FileCheck extends PendingFile {
  readonly state: FileState;
  /** Versions and delete markers deleted by this run. */
  readonly versionsDeleted: number;
  /** Why the file could not be checked (an S3 error's name), when it could not. */
  readonly error?: string;
}

export interface PhysicalCheckSummary {
  readonly ledgerEntries: number;
  /** Entries that could not be read as JSON or whose field has the wrong shape (skipped, logged). */
  readonly unreadableEntries: number;
  readonly files: number;
  readonly removed: number;
  readonly gone: number;
  readonly pending: number;
  readonly overdue: number;
  readonly versionsDeleted: number;
  /** Requests moved from awaiting-physical-removal to completed by this run. */
  readonly requestsCompleted: number;
  readonly overdueFiles: ReadonlyArray<{ readonly bucket: string; readonly key: string; readonly notBefore: string }>;
}

const DAY_MS = 86_400_000;
/** How long after its horizon a file may still be current before it is overdue: VACUUM runs daily. */
export const OVERDUE_AFTER_MS = DAY_MS;

/** `ledger/yyyy/mm/` of every month from `from` to `to`, inclusive. */
export function ledgerMonthPrefixes(from: Date, to: Date): string[] {
  const prefixes: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor <= to) {
    prefixes.push(`${LEDGER_PREFIX}${cursor.getUTCFullYear()}/${String(cursor.getUTCMonth() + 1).padStart(2, '0')}/`);
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return prefixes;
}

/** The entry's pending files, or undefined when the field has the wrong shape. Absent field: none. */
export function pendingFilesOf(entry: unknown): PendingFile[] | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const field = (entry as { pendingPhysicalRemoval?: unknown }).pendingPhysicalRemoval;
  if (field === undefined) return [];
  if (!Array.isArray(field)) return undefined;
  const files: PendingFile[] = [];
  for (const item of field) {
    const file = (item ?? {}) as Record<string, unknown>;
    if (typeof file.bucket !== 'string' || file.bucket === '' || typeof file.key !== 'string' || file.key === '') return undefined;
    if (typeof file.notBefore !== 'string' || Number.isNaN(Date.parse(file.notBefore))) return undefined;
    files.push({ bucket: file.bucket, key: file.key, notBefore: new Date(file.notBefore).toISOString() });
  }
  return files;
}

interface Entry {
  readonly versionId: string;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
}

async function entriesOf(s3: S3Client, bucket: string, key: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const version of page.Versions ?? []) if (version.Key === key && version.VersionId) entries.push({ versionId: version.VersionId, isLatest: version.IsLatest === true, deleteMarker: false });
    for (const marker of page.DeleteMarkers ?? []) if (marker.Key === key && marker.VersionId) entries.push({ versionId: marker.VersionId, isLatest: marker.IsLatest === true, deleteMarker: true });
    if (!page.IsTruncated || (page.NextKeyMarker !== undefined && page.NextKeyMarker !== key)) return entries;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

export async function checkFile(s3: S3Client, file: PendingFile, now: Date): Promise<FileCheck> {
  const entries = await entriesOf(s3, file.bucket, file.key);
  const current = entries.some((entry) => entry.isLatest && !entry.deleteMarker);
  if (current) {
    const overdue = now.getTime() >= Date.parse(file.notBefore) + OVERDUE_AFTER_MS;
    return { ...file, state: overdue ? 'overdue' : 'pending', versionsDeleted: 0 };
  }
  if (entries.length === 0) return { ...file, state: 'gone', versionsDeleted: 0 };
  // The file is no longer current: every version left holds rows of the table as it was, erased ones included.
  for (const entry of entries) await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key, VersionId: entry.versionId }));
  return { ...file, state: 'removed', versionsDeleted: entries.length };
}

export interface PhysicalCheckOptions {
  readonly ledgerBucket: string;
  readonly now: Date;
  /** Ledger entries written within this many days are checked. */
  readonly lookbackDays: number;
  /** Files checked at once. @default 8 */
  readonly concurrency?: number;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * Closes a request whose files are all gone (RequestStore.markPhysicallyRemoved); false when it was not
   * awaiting physical removal (already completed by an earlier run).
   */
  readonly closeRequest: (requestId: string, at: Date) => Promise<boolean>;
}

export async function runPhysicalCheck(s3: S3Client, options: PhysicalCheckOptions): Promise<PhysicalCheckSummary> {
  const since = new Date(options.now.getTime() - options.lookbackDays * DAY_MS);
  const entryKeys: string[] = [];
  for (const prefix of ledgerMonthPrefixes(since, options.now)) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: options.ledgerBucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key?.endsWith('.json') && (!object.LastModified || object.LastModified >= since)) entryKeys.push(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  let unreadableEntries = 0;
  const files = new Map<string, PendingFile>();
  // Per request: the ids (`bucket/key`) of the files its entry lists.
  const requests = new Map<string, string[]>();
  for (const key of entryKeys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: options.ledgerBucket, Key: key }));
    let pending: PendingFile[] | undefined;
    let requestId: unknown;
    try {
      const entry: unknown = JSON.parse((await object.Body?.transformToString('utf-8')) ?? '');
      pending = pendingFilesOf(entry);
      requestId = (entry as { requestId?: unknown }).requestId;
    } catch {
      pending = undefined;
    }
    if (!pending) {
      unreadableEntries += 1;
      options.log('physical-check: ledger entry skipped (not JSON, or pendingPhysicalRemoval is not [{ bucket, key, notBefore }])', { ledgerKey: key });
      continue;
    }
    for (const file of pending) {
      // One file can be listed by every request of its batch: the earliest horizon wins.
      const id = fileId(file);
      const known = files.get(id);
      if (!known || Date.parse(file.notBefore) < Date.parse(known.notBefore)) files.set(id, file);
    }
    // An entry without files was closed as completed by record; only the waiting ones can close here.
    if (pending.length > 0 && typeof requestId === 'string' && requestId !== '') requests.set(requestId, [...(requests.get(requestId) ?? []), ...pending.map(fileId)]);
  }

  // One file that cannot be read (its dataset left the plan, so the role lost its prefix) must not stop
  // the others: it stays pending, and overdue once past its horizon, which is what the alarm is for.
  const checks = await mapWithConcurrency([...files.values()], options.concurrency ?? 8, (file) =>
    checkFile(s3, file, options.now).catch((error: unknown): FileCheck => {
      const overdue = options.now.getTime() >= Date.parse(file.notBefore) + OVERDUE_AFTER_MS;
      return { ...file, state: overdue ? 'overdue' : 'pending', versionsDeleted: 0, error: error instanceof Error ? error.name : 'Error' };
    }),
  );
  const count = (state: FileState) => checks.filter((check) => check.state === state).length;
  const stateOf = new Map(checks.map((check) => [fileId(check), check.state]));
  let requestsCompleted = 0;
  for (const [requestId, ids] of requests) {
    if (!ids.every((id) => stateOf.get(id) === 'removed' || stateOf.get(id) === 'gone')) continue;
    if (await options.closeRequest(requestId, options.now)) requestsCompleted += 1;
  }
  return {
    ledgerEntries: entryKeys.length,
    unreadableEntries,
    files: checks.length,
    removed: count('removed'),
    gone: count('gone'),
    pending: count('pending'),
    overdue: count('overdue'),
    versionsDeleted: checks.reduce((total, check) => total + check.versionsDeleted, 0),
    requestsCompleted,
    overdueFiles: checks.filter((check) => check.state === 'overdue').map(({ bucket, key, notBefore }) => ({ bucket, key, notBefore })),
  };
}

const fileId = (file: Pick<PendingFile, 'bucket' | 'key'>): string => `${file.bucket}/${file.key}`;
