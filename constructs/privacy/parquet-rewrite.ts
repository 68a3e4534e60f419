/**
 * Forgetting rows in one Parquet object: the object's bytes, the dataset's subject-key columns and the
 * batch's subject ids in; the same file without the rows whose key matches (any key column) out, or "no
 * rows left" (the caller deletes the object instead), or "nothing matched" (the caller leaves it alone).
 *
 * What the new file keeps, so Athena, the Glue table and Firehose's later objects all still agree with it:
 * - the schema, element for element (the source's own SchemaElement list, logical and converted types,
 *   field ids): structs, maps and lists of any shape, because rows are dropped leaf by leaf from the
 *   Dremel triples, never re-assembled (parquet-leaf.ts);
 * - every value bit for bit: values stay physical, and INT96 timestamps (Firehose's and Hive's) stay INT96;
 * - each column chunk's compression codec (SNAPPY, GZIP, BROTLI, UNCOMPRESSED; ZSTD where Node has it);
 * - the row groups, in order (a group may shrink; a group left empty is dropped) and the rows' order;
 * - the file's key-value metadata.
 * What it does not keep: page layout and encodings (hyparquet-writer writes data page v2 with its own
 * dictionary choice, which Athena engine v3 reads), bloom filters and column indexes (rebuilt: none and
 * offset indexes), and statistics where the writer could not order them like the source type would
 * (decimals, unsigned integers, fixed-length and INT96 columns: left out, which readers treat as unknown).
 *
 * Anything else is refused with {@link UnsupportedParquetError} before a byte is written: the handler
 * records that object as `unsupported` and it stays as it is.
 */
import type { ColumnChunk, ColumnMetaData, FileMetaData, RowGroup, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { CODECS, supportedCodecs } from './parquet-codecs';
import { physicalElement, readLeafTriples, rowCount, type LeafTriples } from './parquet-leaf';

/** The object cannot be rewritten faithfully; nothing was written. `reason` never contains row data. */
export class UnsupportedParquetError extends Error {
  constructor(readonly reason: string) {
    super(`Parquet object not rewritable: ${reason}`);
    this.name = 'UnsupportedParquetError';
  }
}

export type RewriteResult =
  | { readonly kind: 'nothing-matched'; readonly rowsBefore: number }
  | { readonly kind: 'no-rows-left'; readonly rowsBefore: number; readonly rowsRemoved: number }
  | {
      readonly kind: 'rewritten';
      readonly bytes: Uint8Array;
      readonly rowsBefore: number;
      readonly rowsRemoved: number;
      readonly rowGroupsBefore: number;
      readonly rowGroupsAfter: number;
    };

/** Written into the new file's `created_by`, so a reader can tell a rewritten object from Firehose's. */
export const REWRITE_CREATED_BY = 'hyparquet-writer 0.17.0 (lakehouse erasure rewrite)';

interface Leaf {
  /** Root to leaf. */
  readonly path: SchemaTree[];
  readonly key: string;
}

function leavesOf(tree: SchemaTree): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (path: SchemaTree[]) => {
    const node = path[path.length - 1];
    if (node.children.length === 0) leaves.push({ path, key: node.path.join('\u0000') });
    for (const child of node.children) walk([...path, child]);
  };
  for (const child of tree.children) walk([tree, child]);
  return leaves;
}

/**
 * Statistics the writer computes on physical values are right only where the physical order is the
 * type's order: signed integers, floats, booleans and byte-wise ordered byte arrays.
 */
function statisticsKeepOrder(element: SchemaElement): boolean {
  const logical = element.logical_type;
  if (element.converted_type === 'DECIMAL' || logical?.type === 'DECIMAL') return false;
  if (element.converted_type?.startsWith('UINT_') || (logical?.type === 'INTEGER' && !logical.isSigned)) return false;
  return element.type !== 'FIXED_LEN_BYTE_ARRAY' && element.type !== 'INT96';
}

function readMetadata(source: Uint8Array): FileMetaData {
  const tail = source.byteLength >= 4 ? new TextDecoder().decode(source.subarray(source.byteLength - 4)) : '';
  if (tail === 'PARE') throw new UnsupportedParquetError('the file uses Parquet modular encryption (encrypted footer)');
  const buffer = source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer;
  try {
    return parquetMetadata(buffer);
  } catch (error) {
    throw new UnsupportedParquetError(`not a readable Parquet file (${(error as Error).message})`);
  }
}

/** Everything the rewrite cannot carry over is found here, before any data is read. */
function checkRewritable(metadata: FileMetaData, leaves: readonly Leaf[]): void {
  const codecs = supportedCodecs();
  for (const leaf of leaves) {
    const element = leaf.path[leaf.path.length - 1].element;
    const name = leaf.path.slice(1).map((node) => node.element.name).join('.');
    if (element.repetition_type === 'REPEATED') throw new UnsupportedParquetError(`column ${name} is a repeated primitive (a bare repeated leaf), which the writer cannot produce`);
    if (!element.type) throw new UnsupportedParquetError(`column ${name} has no physical type`);
  }
  metadata.row_groups.forEach((group, index) => {
    if (group.columns.length !== leaves.length) throw new UnsupportedParquetError(`row group ${index} has ${group.columns.length} column chunks for ${leaves.length} leaf columns`);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) throw new UnsupportedParquetError(`row group ${index} has a column chunk without metadata`);
      const name = meta.path_in_schema.join('.');
      if (chunk.file_path) throw new UnsupportedParquetError(`column ${name} lives in another file (${chunk.file_path})`);
      if (chunk.crypto_metadata || chunk.encrypted_column_metadata) throw new UnsupportedParquetError(`column ${name} is encrypted`);
      if (!codecs.includes(meta.codec)) throw new UnsupportedParquetError(`column ${name} is compressed with ${meta.codec}; supported: ${codecs.join(', ')}`);
      if (meta.key_value_metadata?.length) throw new UnsupportedParquetError(`column ${name} carries column-chunk key-value metadata, which the writer cannot keep`);
    }
  });
}

/** The subject's key as Athena's `CAST(key AS varchar)` renders it, or undefined for null / not text. */
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
function keyText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Uint8Array) {
    try {
      return fatalUtf8.decode(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

function keyLeaves(tree: SchemaTree, leaves: readonly Leaf[], keyColumns: readonly string[]): number[] {
  const indexes: number[] = [];
  for (const column of keyColumns) {
    const child = tree.children.find((node) => node.element.name === column);
    // A file written before the column existed reads as null in Athena: nothing of it can match.
    if (!child) continue;
    if (child.children.length > 0) throw new UnsupportedParquetError(`key column ${column} is not a scalar column in this file`);
    if (!['BYTE_ARRAY', 'INT32', 'INT64'].includes(child.element.type ?? '')) {
      throw new UnsupportedParquetError(`key column ${column} is stored as ${child.element.type}; keys must be strings or integers`);
    }
    indexes.push(leaves.findIndex((leaf) => leaf.path[1] === child));
  }
  return indexes;
}

function chunkFor(group: RowGroup, leaf: Leaf): ColumnMetaData {
  const chunk = group.columns.find((candidate) => candidate.meta_data?.path_in_schema.join('\u0000') === leaf.key);
  if (!chunk?.meta_data) throw new UnsupportedParquetError(`no column chunk for ${leaf.path.slice(1).map((node) => node.element.name).join('.')}`);
  return chunk.meta_data;
}

function readTriples(source: Uint8Array, group: RowGroup, leaf: Leaf): LeafTriples {
  try {
    return readLeafTriples(source, chunkFor(group, leaf), leaf.path, CODECS.read);
  } catch (error) {
    if (error instanceof UnsupportedParquetError) throw error;
    throw new UnsupportedParquetError(`column ${leaf.path.slice(1).map((node) => node.element.name).join('.')} could not be decoded (${(error as Error).message})`);
  }
}

/** Drops the slots of removed rows, keeping each level and value with its slot. */
function keepRows(triples: LeafTriples, keep: readonly boolean[], rowsKept: number): { values: unknown[]; definitionLevels: number[]; repetitionLevels: number[] } {
  if (rowsKept === keep.length) return triples;
  if (triples.maxRepetitionLevel === 0) {
    // One slot per row: no row boundaries to find.
    const values = new Array<unknown>(rowsKept);
    const definitionLevels = triples.maxDefinitionLevel > 0 ? new Array<number>(rowsKept) : [];
    let next = 0;
    for (let row = 0; row < keep.length; row += 1) {
      if (!keep[row]) continue;
      values[next] = triples.values[row];
      if (triples.maxDefinitionLevel > 0) definitionLevels[next] = triples.definitionLevels[row];
      next += 1;
    }
    return { values, definitionLevels, repetitionLevels: [] };
  }
  const values: unknown[] = [];
  const definitionLevels: number[] = [];
  const repetitionLevels: number[] = [];
  let row = -1;
  for (let slot = 0; slot < triples.values.length; slot += 1) {
    if (triples.repetitionLevels[slot] === 0) row += 1;
    if (!keep[row]) continue;
    values.push(triples.values[slot]);
    if (triples.maxDefinitionLevel > 0) definitionLevels.push(triples.definitionLevels[slot]);
    repetitionLevels.push(triples.repetitionLevels[slot]);
  }
  return { values, definitionLevels, repetitionLevels };
}

/** The writer refusing a value the reader produced is a file this rewrite cannot carry over: refused, not crashed. */
function encodeColumn<T>(column: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw new UnsupportedParquetError(`column ${column} could not be re-encoded (${(error as Error).message})`);
  }
}

/**
 * Rewrites `source` without the rows whose key columns hold one of `subjects`. Synchronous and in memory:
 * the caller bounds the object size (a Firehose object is at most its 128 MiB buffer).
 */
export function rewriteWithoutSubjects(source: Uint8Array, keyColumns: readonly string[], subjects: ReadonlySet<string>): RewriteResult {
  const metadata = readMetadata(source);
  const tree = parquetSchema(metadata);
  const leaves = leavesOf(tree);
  checkRewritable(metadata, leaves);
  const keys = keyLeaves(tree, leaves, keyColumns);
  const rowsBefore = Number(metadata.num_rows);

  // Pass 1: which rows stay, from the key columns only.
  const cache = new Map<string, LeafTriples>();
  const keep: boolean[][] = metadata.row_groups.map((group, groupIndex) => {
    const rows = Number(group.num_rows);
    const kept = new Array<boolean>(rows).fill(true);
    for (const index of keys) {
      const triples = readTriples(source, group, leaves[index]);
      if (triples.values.length !== rows) throw new UnsupportedParquetError(`row group ${groupIndex}: key column holds ${triples.values.length} values for ${rows} rows`);
      cache.set(`${groupIndex}:${index}`, triples);
      triples.values.forEach((value, row) => {
        const text = keyText(value);
        if (text !== undefined && subjects.has(text)) kept[row] = false;
      });
    }
    return kept;
  });
  const rowsKept = keep.reduce((total, rows) => total + rows.filter(Boolean).length, 0);
  const rowsRemoved = rowsBefore - rowsKept;
  if (rowsRemoved === 0) return { kind: 'nothing-matched', rowsBefore };
  if (rowsKept === 0) return { kind: 'no-rows-left', rowsBefore, rowsRemoved };

  // Pass 2: every leaf of every row group that keeps rows, written with its source codec.
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({
    writer,
    schema: metadata.schema,
    compressors: CODECS.write,
    // Whole min/max values: the leaves are written as plain bytes, and cutting a string's bytes could
    // leave a bound that is not UTF-8.
    statisticsTruncateLength: Infinity,
    kvMetadata: metadata.key_value_metadata,
    createdBy: REWRITE_CREATED_BY,
  });
  metadata.row_groups.forEach((group, groupIndex) => {
    const kept = keep[groupIndex];
    const rows = kept.filter(Boolean).length;
    if (rows === 0) return;
    const start = writer.offset;
    const columns: ColumnChunk[] = [];
    leaves.forEach((leaf, leafIndex) => {
      const cached = `${groupIndex}:${leafIndex}`;
      const triples = cache.get(cached) ?? readTriples(source, group, leaf);
      cache.delete(cached);
      const meta = chunkFor(group, leaf);
      const original = leaf.path[leaf.path.length - 1].element;
      if (rowCount(triples) !== kept.length) {
        throw new UnsupportedParquetError(`row group ${groupIndex}: column ${meta.path_in_schema.join('.')} does not hold ${kept.length} rows`);
      }
      const element = physicalElement(original);
      const schemaPath = [...leaf.path.slice(0, -1).map((node) => node.element), element];
      const result = encodeColumn(meta.path_in_schema.join('.'), () => writeColumn({
        writer,
        column: {
          columnName: meta.path_in_schema.join('.'),
          element,
          schemaPath,
          codec: meta.codec,
          compressors: parquet.compressors,
          stats: statisticsKeepOrder(original),
          statisticsTruncateLength: Infinity,
          pageSize: 1024 * 1024,
          columnIndex: false,
          offsetIndex: true,
        },
        pageData: { ...keepRows(triples, kept, rows), maxDefinitionLevel: triples.maxDefinitionLevel },
      }));
      // INT96 was written as the same 12 bytes under FIXED_LEN_BYTE_ARRAY; the chunk says what it is.
      if (result.chunk.meta_data) result.chunk.meta_data.type = original.type!;
      columns.push(result.chunk);
      parquet.pendingIndexes.push(result);
    });
    let uncompressed = 0n;
    for (const chunk of columns) uncompressed += chunk.meta_data?.total_uncompressed_size ?? 0n;
    parquet.row_groups.push({ columns, total_byte_size: uncompressed, num_rows: BigInt(rows), total_compressed_size: BigInt(writer.offset - start), ordinal: parquet.row_groups.length });
    parquet.num_rows += BigInt(rows);
  });
  parquet.finish();
  return {
    kind: 'rewritten',
    bytes: writer.getBytes(),
    rowsBefore,
    rowsRemoved,
    rowGroupsBefore: metadata.row_groups.length,
    rowGroupsAfter: parquet.row_groups.length,
  };
}
