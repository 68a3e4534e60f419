/**
 * A `rows` collection: each Parquet object under the prefix holds versions of documents, one per row.
 *
 * - Key: a row document's ledger key is `<dataset>/<document id>`. Object documents are keyed
 *   `s3://bucket/key`, and a dataset name has no `:`, so the two can never meet.
 * - Order: the ledger keeps the newest version per document by comparing 64-hex-digit sequencers; a row's
 *   is its ordering value (16 digits), then the S3 sequencer of its file's event (40 digits: the tie-break
 *   for equal ordering values), then its row number (8 digits: the tie-break inside one file). So an older
 *   row, or an older file delivered after a newer one, is `stale` and changes nothing, and a re-delivered
 *   file changes nothing either.
 * - A row whose text is null, empty or only whitespace deletes the document (a tombstone that keeps its
 *   sequencer, so an older row cannot bring it back).
 * - Deleting a Parquet object deletes no document: its rows were versions, and the newest version of each
 *   document stays until a newer row (or a tombstone row, or an erasure) replaces it.
 * - Progress: rows are applied one by one in file order and each is idempotent, so a file cut short (time
 *   running out, an error) is retried from the start and the rows already applied are `stale` at the cost
 *   of one ledger read each.
 * - `version_id` of a row document says where its current version was read, `s3://bucket/key#row` (with
 *   `?versionId=v` before the `#` on a versioned bucket): a model change re-reads that one row.
 */
import { sourceKey, type ObjectEvent } from './events';
import type { Generation, Governance, PendingDocument } from './ledger';
import type { Counters, EmbeddingPipeline } from './pipeline';
import { openParquet, ParquetDataError, type DocumentRow, type InvalidRow } from './row-reader';
import type { RowSettings } from './settings';
import type { ObjectSource } from './source';

export interface RowCounts {
  indexed: number;
  deleted: number;
  stale: number;
  /** Versions recorded as skipped with a reason (text PostgreSQL cannot store). */
  skipped: number;
  /** Rows that could not be keyed or ordered (logged with their reason). */
  invalid: number;
}

export type RowFileResult = { readonly ok: true; readonly counts: RowCounts; readonly complete: boolean } | { readonly ok: false; readonly detail: string };

const ORDER_DIGITS = 16;
const SEQUENCER_DIGITS = 40;
const ROW_DIGITS = 8;
/** Invalid rows logged one by one per file; the rest are counted. */
const INVALID_ROWS_LOGGED = 20;

/** `<dataset>/<document id>`. */
export function rowDocumentKey(dataset: string, id: string): string {
  return `${dataset}/${id}`;
}

/** The ledger sequencer of a row version; undefined when the S3 sequencer is longer than 40 digits. */
export function rowSequencer(order: bigint, s3Sequencer: string, row: number): string | undefined {
  const sequencer = s3Sequencer.replace(/^0+/, '').toUpperCase();
  if (sequencer.length > SEQUENCER_DIGITS || row < 0 || row >= 16 ** ROW_DIGITS) return undefined;
  return order.toString(16).toUpperCase().padStart(ORDER_DIGITS, '0') + sequencer.padStart(SEQUENCER_DIGITS, '0') + row.toString(16).toUpperCase().padStart(ROW_DIGITS, '0');
}

export interface RowOrigin {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly row: number;
}

export function formatRowOrigin(origin: RowOrigin): string {
  return `${sourceKey(origin.bucket, origin.key)}${origin.versionId ? `?versionId=${origin.versionId}` : ''}#${origin.row}`;
}

export function parseRowOrigin(text: string | undefined): RowOrigin | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+?)(?:\?versionId=([^#]+))?#(\d+)$/s.exec(text ?? '');
  if (!match) return undefined;
  return { bucket: match[1], key: match[2], ...(match[3] ? { versionId: match[3] } : {}), row: Number(match[4]) };
}

export interface RowFileInput {
  readonly pipeline: EmbeddingPipeline;
  readonly rows: RowSettings;
  readonly generations: readonly Generation[];
  readonly event: ObjectEvent;
  readonly bytes: Uint8Array;
  readonly versionId?: string;
  readonly etag?: string;
  readonly counters: Counters;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Asked before each row: true stops the file (the record is retried; applied rows stay applied). */
  readonly shouldStop?: () => boolean;
}

/** Applies each document's newest row in the file, in file order. */
export async function applyRowFile(input: RowFileInput): Promise<RowFileResult> {
  const { rows, event, log } = input;
  const opened = openParquet(input.bytes, rows);
  if (!opened.ok) return opened;
  if (rowSequencer(0n, event.sequencer, 0) === undefined) return { ok: false, detail: `S3 sequencer ${event.sequencer} is longer than ${SEQUENCER_DIGITS} digits` };
  let newest;
  try {
    newest = await opened.file.newestRows();
  } catch (error) {
    if (!(error instanceof ParquetDataError)) throw error;
    return { ok: false, detail: error.message };
  }
  const counts: RowCounts = { indexed: 0, deleted: 0, stale: 0, skipped: 0, invalid: newest.invalid.length };
  logInvalid(newest.invalid, sourceKey(event.bucket, event.key), log);
  let complete = true;
  try {
    for await (const row of opened.file.documents(newest.rows.map((r) => r.row))) {
      if (input.shouldStop?.()) {
        complete = false;
        break;
      }
      const origin = formatRowOrigin({ bucket: event.bucket, key: event.key, versionId: input.versionId ?? event.versionId, row: row.row });
      const outcome = await applyRowVersion(input, input.generations, row, rowSequencer(row.order, event.sequencer, row.row) as string, origin);
      counts[outcome] += 1;
    }
  } catch (error) {
    // hyparquet's decoding errors (a corrupt page) end the file; the pipeline's own errors propagate.
    if (!(error instanceof ParquetDataError)) throw error;
    return { ok: false, detail: error.message };
  }
  return { ok: true, counts, complete };
}

/** One version of one document into the given generations: indexed, deleted (tombstone) or stale. */
export async function applyRowVersion(
  input: Pick<RowFileInput, 'pipeline' | 'rows' | 'etag' | 'counters'>,
  generations: readonly Generation[],
  row: DocumentRow,
  sequencer: string,
  origin: string,
): Promise<'indexed' | 'deleted' | 'stale' | 'skipped'> {
  const { pipeline, rows } = input;
  const key = rowDocumentKey(rows.dataset, row.id);
  const todo = await pipeline.notStale(generations, key, sequencer);
  if (todo.length === 0) return 'stale';
  const base = { sourceKey: key, sequencer, versionId: origin, etag: input.etag };
  if (row.text === undefined) return (await pipeline.tombstone(todo, base)) ? 'deleted' : 'stale';
  const governance: Governance = { dataset: rows.dataset, classification: rows.classification, dataSubjectId: row.subject };
  // PostgreSQL text and jsonb cannot hold U+0000: such a version is recorded as skipped (it keeps its
  // sequencer, so the file is not retried forever and an older version does not come back).
  if ([row.text, row.subject, ...Object.entries(row.metadata).flat()].some((value) => value?.includes('\u0000'))) {
    return (await pipeline.recordSkip(todo, base, 'undecodable: the text, metadata or subject holds NUL characters (PostgreSQL cannot store them)', governance)) ? 'skipped' : 'stale';
  }
  const metadata: Record<string, unknown> = { ...row.metadata, source_key: key, document_id: row.id, format: 'parquet-row' };
  for (const [name, value] of Object.entries(governance)) if (value !== undefined) metadata[name === 'dataSubjectId' ? 'data_subject_id' : name] = value;
  return (await pipeline.indexText(todo, base, row.text, metadata, governance, input.counters)) ? 'indexed' : 'stale';
}

/**
 * A model change re-embeds a row document into the building generation by re-reading the row its
 * current version came from (`version_id`), keeping its sequencer. When that row can no longer be read
 * (the file expired or was deleted, or holds another document now), the document is recorded as skipped
 * in the new generation; writing its row again in a new file indexes it again (the new file's S3 event
 * orders after the old one on an equal ordering value; the backfill command's sequencer 0 would not).
 */
export async function backfillRowDocument(
  input: Pick<RowFileInput, 'pipeline' | 'rows' | 'counters'> & { readonly source: ObjectSource; readonly maxObjectBytes: number },
  building: Generation,
  document: PendingDocument,
): Promise<'indexed' | 'deleted' | 'stale' | 'skipped'> {
  const base = { sourceKey: document.sourceKey, sequencer: document.sequencer, versionId: document.versionId };
  const origin = parseRowOrigin(document.versionId);
  const skip = async (detail: string) => ((await input.pipeline.recordSkip([building], base, `not-found: ${detail}; write the document's row again (a new file) to index it again`)) ? 'skipped' : 'stale');
  if (!origin) return skip(`no row origin recorded (${JSON.stringify(document.versionId ?? null)})`);
  const object = await input.source.fetch(origin.bucket, origin.key, origin.versionId, input.maxObjectBytes);
  if (!object.found || 'tooLarge' in object) return skip(`${formatRowOrigin(origin)} cannot be read any more`);
  const opened = openParquet(object.bytes, input.rows);
  if (!opened.ok) return skip(`${formatRowOrigin(origin)}: ${opened.detail}`);
  let row: DocumentRow | undefined;
  try {
    if (origin.row < opened.file.rowCount) for await (const candidate of opened.file.documents([origin.row])) row = candidate;
  } catch (error) {
    if (!(error instanceof ParquetDataError)) throw error;
    return skip(`${formatRowOrigin(origin)}: ${error.message}`);
  }
  if (!row || rowDocumentKey(input.rows.dataset, row.id) !== document.sourceKey) return skip(`${formatRowOrigin(origin)} no longer holds this document`);
  return applyRowVersion({ ...input, etag: object.etag }, [building], row, document.sequencer, document.versionId as string);
}

function logInvalid(invalid: readonly InvalidRow[], file: string, log: RowFileInput['log']): void {
  for (const row of invalid.slice(0, INVALID_ROWS_LOGGED)) log?.('row skipped', { file, row: row.row, reason: row.reason });
  if (invalid.length > INVALID_ROWS_LOGGED) log?.('rows skipped', { file, more: invalid.length - INVALID_ROWS_LOGGED });
}
