/**
 * The erasure ledger's entry format and how the record step derives it from a batch's results. Pure:
 * no AWS SDK (the record handler reads the manifests and writes the entries).
 *
 * One entry per request per batch outcome, at `ledger/<yyyy>/<mm>/<requestId>.<batchId>.json` when the
 * request closes (`completed`, `awaiting-physical-removal`; the batch id keeps a request erased twice in one
 * month, which a closed request may be, from overwriting its first entry and that entry's pending files) and `ledger/<yyyy>/<mm>/<requestId>.attempt-<batchId>.json`
 * when verification failed (the request stays open and is retried; the attempt is still audited). The
 * month is the UTC month the batch finished in.
 *
 * Find and forget run per batch, not per request: the dataset figures of an entry are the batch's
 * (`batch.requestCount` says how many requests shared them). Subjects appear only as keyed hashes with
 * the salt version; any other string that holds a subject id (an object key partitioned by the subject
 * column, say) is replaced before writing (`redactSubjects`).
 */
import type { Regulation } from './request';
import type { RequestSummary } from './request-store';
import { LEDGER_PREFIX } from './names';

export const LEDGER_SCHEMA = 'lakehouse.erasure-ledger/1';

export const REDACTED = '(redacted: held a data-subject id)';

export type LedgerOutcome = 'completed' | 'awaiting-physical-removal' | 'verification-failed';
export type DatasetKind = 'iceberg' | 'parquet';

/** A `find-results` output (find or verify mode). */
export interface FindSummary {
  readonly dataset: string;
  readonly rows: number;
  readonly objectCount?: number;
  readonly partitions?: readonly unknown[];
  readonly manifestKey?: string;
  readonly queryExecutionId?: string;
  readonly kind?: DatasetKind;
}

/**
 * What the forget phase reports per dataset: the `rewrite-objects` output for Parquet, or, for Iceberg,
 * `{ dataset, kind: 'iceberg', queryExecutionIds }` (DELETE, OPTIMIZE, VACUUM).
 */
export interface ForgetSummary {
  readonly dataset: string;
  readonly kind: DatasetKind;
  readonly queryExecutionIds: readonly string[];
  readonly objectsRewritten?: number;
  readonly objectsDeleted?: number;
  readonly rowsRemoved?: number;
  readonly versionsRemoved?: number;
  readonly conflicts?: number;
  readonly resultKey?: string;
}

/** A `forget-vectors` output. */
export interface VectorSummary {
  readonly chunks: number;
  readonly documents: number;
  readonly vacuumed?: boolean;
  readonly vacuumSkippedReason?: string;
}

export interface RecordInput {
  readonly batchId: string;
  readonly requestIds: readonly string[];
  readonly startedAt: string;
  readonly find: readonly FindSummary[];
  readonly forget: readonly ForgetSummary[];
  readonly vectors?: VectorSummary;
  readonly verify: readonly FindSummary[];
  readonly verifyVectors?: VectorSummary;
}

/** An object a dataset's find or forget step touched (key, version, counts), as stored in the ledger. */
export type LedgerObject = Readonly<Record<string, string | number | boolean | null>>;

export interface LedgerDataset {
  readonly dataset: string;
  readonly kind: DatasetKind | 'unknown';
  readonly rowsFound: number;
  readonly objectsFound: number;
  readonly rowsRemoved: number | null;
  readonly objectsRewritten?: number;
  readonly objectsDeleted?: number;
  readonly versionsRemoved?: number;
  readonly conflicts?: number;
  readonly queryExecutionIds: readonly string[];
  readonly objects: readonly LedgerObject[];
  readonly verification: { readonly rowsRemaining: number | null; readonly passed: boolean };
}

export interface PendingPhysicalRemoval {
  readonly bucket: string;
  readonly key: string;
  /** ISO time after which the file must be gone in every version (the table's snapshot horizon). */
  readonly notBefore: string;
}

export interface LedgerEntry {
  readonly schema: typeof LEDGER_SCHEMA;
  readonly requestId: string;
  readonly outcome: LedgerOutcome;
  readonly regulation: Regulation;
  readonly reference: string | null;
  readonly subjects: ReadonlyArray<{ readonly hash: string; readonly saltVersion: string | null }>;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Whole and fractional days from receipt to this outcome. */
  readonly daysToClose: number;
  readonly deadlineMet: boolean;
  readonly attempt: number;
  readonly batch: { readonly batchId: string; readonly requestCount: number };
  readonly datasets: readonly LedgerDataset[];
  readonly vectors: {
    readonly chunksDeleted: number | null;
    readonly documentsDeleted: number | null;
    readonly vacuumed: boolean | null;
    readonly vacuumSkippedReason?: string;
    readonly verification: { readonly chunksRemaining: number | null; readonly documentsRemaining: number | null; readonly passed: boolean };
  };
  readonly verification: { readonly passed: boolean; readonly failures: readonly string[] };
  readonly pendingPhysicalRemoval: readonly PendingPhysicalRemoval[];
}

/** What the batch proved: the outcome shared by its requests, and why verification failed if it did. */
export interface BatchVerdict {
  readonly outcome: LedgerOutcome;
  readonly failures: string[];
}

/** Manifests read from the work bucket, by dataset. */
export interface BatchManifests {
  readonly findObjects: ReadonlyMap<string, readonly LedgerObject[]>;
  readonly forgetObjects: ReadonlyMap<string, readonly LedgerObject[]>;
}

/** The batch's verdict: every dataset found must have been forgotten and verified at zero, vectors too. */
export function batchVerdict(input: RecordInput): BatchVerdict {
  const failures: string[] = [];
  const verify = new Map(input.verify.map((v) => [v.dataset, v]));
  const forget = new Map(input.forget.map((f) => [f.dataset, f]));
  for (const found of input.find) {
    const check = verify.get(found.dataset);
    if (!check) failures.push(`${found.dataset}: no verification result`);
    else if (check.rows > 0) failures.push(`${found.dataset}: ${check.rows} row(s) remain after the forget phase`);
    if (found.rows > 0 && !forget.has(found.dataset)) failures.push(`${found.dataset}: ${found.rows} row(s) found but the dataset was not forgotten`);
  }
  for (const item of input.forget) {
    if ((item.conflicts ?? 0) > 0) failures.push(`${item.dataset}: ${item.conflicts} object(s) were changed by another writer during the rewrite (rolled back; retried next batch)`);
  }
  if (input.verifyVectors && input.verifyVectors.chunks + input.verifyVectors.documents > 0) {
    failures.push(`vectors: ${input.verifyVectors.chunks} chunk(s) and ${input.verifyVectors.documents} document(s) remain`);
  }
  if (input.vectors && !input.verifyVectors) failures.push('vectors: no verification result');
  if (failures.length > 0) return { outcome: 'verification-failed', failures };
  const icebergRows = input.find.some((f) => f.rows > 0 && kindOf(f, forget.get(f.dataset)) === 'iceberg');
  return { outcome: icebergRows ? 'awaiting-physical-removal' : 'completed', failures };
}

function kindOf(found: FindSummary | undefined, forgotten: ForgetSummary | undefined): DatasetKind | 'unknown' {
  return forgotten?.kind ?? found?.kind ?? 'unknown';
}

/** The per-dataset part of every entry of the batch. */
export function ledgerDatasets(input: RecordInput, manifests: BatchManifests): LedgerDataset[] {
  const forget = new Map(input.forget.map((f) => [f.dataset, f]));
  const verify = new Map(input.verify.map((v) => [v.dataset, v]));
  const names = [...new Set([...input.find.map((f) => f.dataset), ...input.forget.map((f) => f.dataset)])].sort();
  return names.map((dataset) => {
    const found = input.find.find((f) => f.dataset === dataset);
    const forgotten = forget.get(dataset);
    const checked = verify.get(dataset);
    const kind = kindOf(found, forgotten);
    const rowsFound = found?.rows ?? 0;
    // Iceberg's DELETE reports no count through the workflow: what it removed is what find found and
    // verify no longer finds.
    const rowsRemoved = forgotten?.rowsRemoved ?? (kind === 'iceberg' && checked ? rowsFound - checked.rows : rowsFound === 0 ? 0 : null);
    const objects = [...(manifests.forgetObjects.get(dataset) ?? manifests.findObjects.get(dataset) ?? [])];
    return {
      dataset,
      kind,
      rowsFound,
      objectsFound: found?.objectCount ?? manifests.findObjects.get(dataset)?.length ?? 0,
      rowsRemoved,
      ...optionalCounts(forgotten),
      queryExecutionIds: [...(found?.queryExecutionId ? [found.queryExecutionId] : []), ...(forgotten?.queryExecutionIds ?? []), ...(checked?.queryExecutionId ? [checked.queryExecutionId] : [])],
      objects,
      verification: { rowsRemaining: checked ? checked.rows : null, passed: checked !== undefined && checked.rows === 0 && (forgotten?.conflicts ?? 0) === 0 },
    };
  });
}

function optionalCounts(forgotten: ForgetSummary | undefined): Partial<LedgerDataset> {
  if (!forgotten) return {};
  const counts: Record<string, number> = {};
  for (const key of ['objectsRewritten', 'objectsDeleted', 'versionsRemoved', 'conflicts'] as const) if (forgotten[key] !== undefined) counts[key] = forgotten[key] as number;
  return counts;
}

/** Iceberg data files that held the batch's subjects: gone from the table now, from S3 after the horizon. */
export function pendingPhysicalRemoval(input: RecordInput, manifests: BatchManifests, finishedAt: Date, snapshotRetentionDays: number): PendingPhysicalRemoval[] {
  const forget = new Map(input.forget.map((f) => [f.dataset, f]));
  const notBefore = new Date(finishedAt.getTime() + snapshotRetentionDays * 86_400_000).toISOString();
  const pending: PendingPhysicalRemoval[] = [];
  for (const found of input.find) {
    if (found.rows === 0 || kindOf(found, forget.get(found.dataset)) !== 'iceberg') continue;
    for (const object of manifests.findObjects.get(found.dataset) ?? []) {
      if (typeof object.bucket === 'string' && typeof object.key === 'string') pending.push({ bucket: object.bucket, key: object.key, notBefore });
    }
  }
  return pending;
}

export interface EntryContext {
  readonly input: RecordInput;
  readonly verdict: BatchVerdict;
  readonly datasets: readonly LedgerDataset[];
  readonly pending: readonly PendingPhysicalRemoval[];
  readonly finishedAt: Date;
}

export function ledgerEntry(request: RequestSummary, context: EntryContext): LedgerEntry {
  const { input, verdict, finishedAt } = context;
  const received = new Date(request.receivedAt);
  const vectors = input.vectors;
  const verifyVectors = input.verifyVectors;
  return {
    schema: LEDGER_SCHEMA,
    requestId: request.requestId,
    outcome: verdict.outcome,
    regulation: request.regulation,
    reference: request.reference ?? null,
    subjects: request.subjectHashes.map((hash) => ({ hash, saltVersion: request.saltVersion ?? null })),
    receivedAt: request.receivedAt,
    deadline: request.deadline,
    startedAt: input.startedAt,
    finishedAt: finishedAt.toISOString(),
    daysToClose: Math.round(((finishedAt.getTime() - received.getTime()) / 86_400_000) * 1000) / 1000,
    deadlineMet: finishedAt.toISOString() <= request.deadline,
    attempt: request.attempts + 1,
    batch: { batchId: input.batchId, requestCount: input.requestIds.length },
    datasets: context.datasets,
    vectors: {
      chunksDeleted: vectors?.chunks ?? null,
      documentsDeleted: vectors?.documents ?? null,
      vacuumed: vectors?.vacuumed ?? null,
      ...(vectors?.vacuumSkippedReason ? { vacuumSkippedReason: vectors.vacuumSkippedReason } : {}),
      verification: {
        chunksRemaining: verifyVectors?.chunks ?? null,
        documentsRemaining: verifyVectors?.documents ?? null,
        passed: verifyVectors === undefined ? vectors === undefined : verifyVectors.chunks + verifyVectors.documents === 0,
      },
    },
    verification: { passed: verdict.outcome !== 'verification-failed', failures: verdict.failures },
    pendingPhysicalRemoval: context.pending,
  };
}

/** `ledger/<yyyy>/<mm>/<requestId>.<batchId>.json`, or `<requestId>.attempt-<batchId>.json` for a failed verification. */
export function ledgerKey(requestId: string, outcome: LedgerOutcome, batchId: string, finishedAt: Date): string {
  const month = `${finishedAt.getUTCFullYear()}/${String(finishedAt.getUTCMonth() + 1).padStart(2, '0')}`;
  return `${LEDGER_PREFIX}${month}/${requestId}.${outcome === 'verification-failed' ? 'attempt-' : ''}${batchId}.json`;
}

/**
 * Replaces every string that holds a subject id: equal to one, one of its `/`, `=`, `&`, `?` or `#`
 * separated segments equal to one, or (ids of 6 characters or more) containing one. Returns the copy and
 * how many strings were replaced. Keys of objects are checked too.
 */
export function redactSubjects<T>(value: T, subjects: readonly string[]): { value: T; redactions: number } {
  const ids = new Set(subjects);
  const long = subjects.filter((s) => s.length >= 6);
  let redactions = 0;
  const holds = (text: string) => ids.has(text) || text.split(/[/=&?#]/).some((part) => ids.has(part)) || long.some((id) => text.includes(id));
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!holds(node)) return node;
      redactions += 1;
      return REDACTED;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => {
          if (!holds(key)) return [key, walk(child)];
          redactions += 1;
          return [`${REDACTED} ${redactions}`, walk(child)];
        }),
      );
    }
    return node;
  };
  return { value: walk(value) as T, redactions };
}
