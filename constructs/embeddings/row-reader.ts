/**
 * Reads document rows from one Parquet file (hyparquet: pure JavaScript, bundled into the function by
 * esbuild). The file is read twice, row group by row group, so memory stays near one row group:
 * first only the id and ordering columns (to find each document's newest row in the file and the rows
 * that cannot be keyed), then the text, metadata and subject of the chosen rows.
 *
 * Value rules (a row that breaks one is reported invalid with a reason, never thrown):
 * - id: a non-empty string (at most 1,024 characters, no control characters) or an integer;
 * - ordering value: a timestamp or date (microseconds since 1970) or a non-negative integer;
 * - text: a string; null, empty or only whitespace means the document is deleted (a tombstone row);
 * - metadata: a map of strings (null reads as empty; non-string values are dropped);
 * - subject: a string or an integer, from its column or a key of the metadata map (optional).
 */
import * as zlib from 'node:zlib';
import { parquetMetadata, parquetReadObjects, parquetSchema, type FileMetaData } from 'hyparquet';
import type { RowSettings } from './settings';

export interface IndexedRow {
  /** Position of the row in the file, from 0. */
  readonly row: number;
  readonly id: string;
  /** The ordering value: microseconds since 1970 for timestamps and dates, the value itself for integers. */
  readonly order: bigint;
}

export interface InvalidRow {
  readonly row: number;
  readonly reason: string;
}

export interface DocumentRow extends IndexedRow {
  /** undefined: the row deletes the document (null, empty or whitespace-only text). */
  readonly text?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly subject?: string;
}

export type OpenedFile = { readonly ok: true; readonly file: ParquetRows } | { readonly ok: false; readonly detail: string };

/** Largest ordering value the ledger's sequencer can carry (16 hexadecimal digits). */
const MAX_ORDER = (1n << 64n) - 1n;
const MAX_ID_LENGTH = 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Codecs beyond hyparquet's built-in SNAPPY: GZIP and BROTLI from zlib, ZSTD where this Node has it (22.15+). */
const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
const COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(zlib.brotliDecompressSync(input)),
  ...(zstd ? { ZSTD: (input: Uint8Array) => new Uint8Array(zstd(input)) } : {}),
};

/** Timestamps and dates as bigint microseconds: Date would drop the microseconds that order two versions. */
const PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => BigInt(millis) * 1000n,
  timestampFromMicroseconds: (micros: bigint) => BigInt(micros),
  timestampFromNanoseconds: (nanos: bigint) => BigInt(nanos) / 1000n,
  dateFromDays: (days: number) => BigInt(days) * 86_400_000_000n,
};

/** Opens a Parquet file of document rows; refuses one that is not Parquet or lacks a required column. */
export function openParquet(bytes: Uint8Array, settings: RowSettings): OpenedFile {
  const magic = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || magic(0) !== 'PAR1' || magic(bytes.length - 4) !== 'PAR1') return { ok: false, detail: 'not a Parquet file (no PAR1 magic at its start and end)' };
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(buffer);
  } catch (error) {
    return { ok: false, detail: `unreadable Parquet footer: ${(error as Error).message}` };
  }
  const present = new Set(parquetSchema(metadata).children.map((child) => child.element.name));
  const required = [settings.idColumn, settings.textColumn, settings.orderColumn, ...(settings.subjectColumn ? [settings.subjectColumn] : [])];
  const missing = required.filter((column) => !present.has(column));
  if (missing.length > 0) return { ok: false, detail: `the file has no column ${missing.join(', ')} (it has ${[...present].join(', ')})` };
  const metadataColumn = settings.metadataColumn !== null && present.has(settings.metadataColumn) ? settings.metadataColumn : undefined;
  return { ok: true, file: new ParquetRows(buffer, metadata, settings, metadataColumn) };
}

export class ParquetRows {
  readonly rowCount: number;
  /** [start, end) of each row group, in file order. */
  private readonly groups: Array<readonly [number, number]> = [];

  constructor(
    private readonly buffer: ArrayBuffer,
    private readonly metadata: FileMetaData,
    private readonly settings: RowSettings,
    private readonly metadataColumn: string | undefined,
  ) {
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      this.groups.push([start, end]);
      start = end;
    }
    this.rowCount = start;
  }

  /**
   * Each document's newest row in this file (highest ordering value; on a tie the later row), in file
   * order, and the rows that cannot be keyed or ordered.
   */
  async newestRows(): Promise<{ readonly rows: IndexedRow[]; readonly invalid: InvalidRow[] }> {
    const newest = new Map<string, IndexedRow>();
    const invalid: InvalidRow[] = [];
    const { idColumn, orderColumn } = this.settings;
    for (const [start, end] of this.groups) {
      const values = await this.read([idColumn, orderColumn], start, end);
      values.forEach((value, offset) => {
        const row = start + offset;
        const keyed = keyOf(value, row, this.settings);
        if ('reason' in keyed) return void invalid.push(keyed);
        const held = newest.get(keyed.id);
        if (!held || held.order <= keyed.order) newest.set(keyed.id, keyed);
      });
    }
    return { rows: [...newest.values()].sort((a, b) => a.row - b.row), invalid };
  }

  /** The full rows at these positions (ascending), one row group at a time. */
  async *documents(positions: readonly number[]): AsyncGenerator<DocumentRow> {
    const { idColumn, textColumn, orderColumn, subjectColumn } = this.settings;
    const columns = [idColumn, textColumn, orderColumn, ...(this.metadataColumn ? [this.metadataColumn] : []), ...(subjectColumn ? [subjectColumn] : [])];
    let next = 0;
    for (const [, end] of this.groups) {
      if (next >= positions.length) return;
      if (positions[next] >= end) continue;
      const wanted: number[] = [];
      while (next < positions.length && positions[next] < end) wanted.push(positions[next++]);
      // Only the span of wanted rows inside the group (hyparquet still decodes the group's pages it touches).
      const values = await this.read(columns, wanted[0], wanted[wanted.length - 1] + 1);
      for (const row of wanted) yield this.documentOf(values[row - wanted[0]], row);
    }
  }

  private documentOf(value: Record<string, unknown>, row: number): DocumentRow {
    const keyed = keyOf(value, row, this.settings) as IndexedRow;
    const text = value[this.settings.textColumn];
    const metadata = this.metadataColumn ? stringMap(value[this.metadataColumn]) : {};
    const { subjectColumn, subjectMetadataKey } = this.settings;
    const subject = subjectColumn ? identifier(value[subjectColumn]) : subjectMetadataKey ? metadata[subjectMetadataKey] : undefined;
    return {
      ...keyed,
      ...(typeof text === 'string' && text.trim() !== '' ? { text } : {}),
      metadata,
      ...(subject !== undefined && subject !== '' ? { subject } : {}),
    };
  }

  private async read(columns: string[], rowStart: number, rowEnd: number): Promise<Array<Record<string, unknown>>> {
    try {
      return await parquetReadObjects({ file: this.buffer, metadata: this.metadata, columns, rowStart, rowEnd, parsers: PARSERS, compressors: COMPRESSORS } as Parameters<typeof parquetReadObjects>[0]);
    } catch (error) {
      throw new ParquetDataError(`unreadable Parquet data in rows ${rowStart}-${rowEnd - 1}: ${(error as Error).message}`);
    }
  }
}

/** A file whose footer reads but whose pages do not decode (corrupt, or a codec this runtime lacks). */
export class ParquetDataError extends Error {
  override readonly name = 'ParquetDataError';
}

function keyOf(value: Record<string, unknown>, row: number, settings: RowSettings): IndexedRow | InvalidRow {
  const rawId = value[settings.idColumn];
  const id = identifier(rawId);
  if (id === undefined || id === '') return { row, reason: `${settings.idColumn} ${describe(rawId)} is not a document id (a non-empty string or an integer)` };
  if (id.length > MAX_ID_LENGTH || CONTROL.test(id)) return { row, reason: `${settings.idColumn} is longer than ${MAX_ID_LENGTH} characters or holds control characters` };
  const rawOrder = value[settings.orderColumn];
  const order = typeof rawOrder === 'bigint' ? rawOrder : typeof rawOrder === 'number' && Number.isInteger(rawOrder) ? BigInt(rawOrder) : undefined;
  if (order === undefined || order < 0n || order > MAX_ORDER) {
    return { row, reason: `${settings.orderColumn} ${describe(rawOrder)} cannot order versions (a timestamp or date from 1970, or a non-negative integer)` };
  }
  return { row, id, order };
}

function identifier(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
