/**
 * One leaf column chunk of a Parquet row group, read as its raw Dremel triples: per value slot the
 * repetition level, the definition level and the physical value (null where the slot is not defined).
 *
 * The erasure rewrite works on these triples rather than on assembled rows so that it never has to
 * re-derive a nested value: a struct, a map (whatever its key type or group names), a legacy two-level list
 * or an empty list comes out exactly as it went in, because dropping a row only drops the slots that
 * belong to it. Values stay physical (bytes, numbers, bigints) so no logical conversion (decimals to
 * floats, strings through UTF-8, INT96 through a Date) can alter them: INT96 is read as its 12 raw bytes.
 */
import type { ColumnMetaData, CompressionCodec, DecodedArray, PageHeader, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import type { Decompressors } from './parquet-codecs';

/** A leaf as the writer must see it: INT96 becomes FIXED_LEN_BYTE_ARRAY(12) with the same bytes. */
export function physicalElement(element: SchemaElement): SchemaElement {
  const raw: SchemaElement = { name: element.name, repetition_type: element.repetition_type };
  if (element.type === 'INT96') return { ...raw, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12 };
  return { ...raw, type: element.type, type_length: element.type_length };
}

export interface LeafTriples {
  /** One per value slot; empty when the leaf is not repeated. */
  readonly repetitionLevels: number[];
  /** One per value slot; empty when the leaf is required at every level. */
  readonly definitionLevels: number[];
  /** One per value slot: the physical value, or null where the definition level is below the maximum. */
  readonly values: unknown[];
  readonly maxDefinitionLevel: number;
  readonly maxRepetitionLevel: number;
}

export function maxLevels(path: readonly SchemaTree[]): { maxDefinitionLevel: number; maxRepetitionLevel: number } {
  let maxDefinitionLevel = 0;
  let maxRepetitionLevel = 0;
  for (const node of path.slice(1)) {
    if (node.element.repetition_type !== 'REQUIRED') maxDefinitionLevel += 1;
    if (node.element.repetition_type === 'REPEATED') maxRepetitionLevel += 1;
  }
  return { maxDefinitionLevel, maxRepetitionLevel };
}

/** Where the chunk's pages start: some writers record a dictionary offset of 0 when there is none. */
function chunkStart(meta: ColumnMetaData): number {
  const data = Number(meta.data_page_offset);
  const dictionary = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
  return dictionary !== undefined && dictionary > 0 && dictionary < data ? dictionary : data;
}

/**
 * Reads every page of one column chunk. `file` is the whole object; `path` the schema path from the root
 * to the leaf (hyparquet's tree). Throws on anything it cannot decode (the caller reports the object as
 * unsupported).
 */
export function readLeafTriples(file: Uint8Array, meta: ColumnMetaData, path: readonly SchemaTree[], decompressors: Decompressors): LeafTriples {
  const leaf = path[path.length - 1].element;
  const element = physicalElement(leaf);
  const type = element.type!;
  const schemaPath = [...path.slice(0, -1), { ...path[path.length - 1], element }];
  const codec: CompressionCodec = meta.codec;
  const decoder = { pathInSchema: meta.path_in_schema, type, element, schemaPath, codec, compressors: decompressors, parsers: undefined as never, utf8: false };
  const { maxDefinitionLevel, maxRepetitionLevel } = maxLevels(path);

  const start = chunkStart(meta);
  const end = start + Number(meta.total_compressed_size);
  if (start < 4 || end > file.byteLength - 8) throw new Error(`column chunk ${meta.path_in_schema.join('.')} lies outside the file`);
  const view = new DataView(file.buffer, file.byteOffset + start, end - start);
  const reader = { view, offset: 0 };

  const expected = Number(meta.num_values);
  // Sized up front (the metadata says how many slots), filled in place: far less garbage than pushing.
  const repetitionLevels: number[] = maxRepetitionLevel > 0 ? new Array<number>(expected) : [];
  const definitionLevels: number[] = maxDefinitionLevel > 0 ? new Array<number>(expected) : [];
  const values: unknown[] = new Array<unknown>(expected);
  let filled = 0;
  let dictionary: DecodedArray | undefined;

  while (filled < expected) {
    if (reader.offset >= view.byteLength) throw new Error(`column chunk ${meta.path_in_schema.join('.')} ended after ${filled} of ${expected} values`);
    const header: PageHeader = parquetHeader(reader);
    const pageBytes = new Uint8Array(view.buffer, view.byteOffset + reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(pageBytes, header.uncompressed_page_size, codec, decompressors);
      const count = header.dictionary_page_header?.num_values ?? 0;
      dictionary = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, type, count, element.type_length);
      continue;
    }
    let page: { definitionLevels: number[] | undefined; repetitionLevels: number[]; dataPage: DecodedArray };
    let encoding: string;
    let slots: number;
    if (header.type === 'DATA_PAGE' && header.data_page_header) {
      const bytes = decompressPage(pageBytes, header.uncompressed_page_size, codec, decompressors);
      page = readDataPage(bytes, header.data_page_header, decoder);
      encoding = header.data_page_header.encoding;
      slots = header.data_page_header.num_values;
    } else if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
      page = readDataPageV2(pageBytes, header, decoder);
      encoding = header.data_page_header_v2.encoding;
      slots = header.data_page_header_v2.num_values;
    } else {
      // Index pages carry nothing the rows need; anything else is a page this reader does not know.
      if (header.type === 'INDEX_PAGE') continue;
      throw new Error(`page type ${header.type} in ${meta.path_in_schema.join('.')}`);
    }
    const dictionaryEncoded = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
    if (dictionaryEncoded && !dictionary) throw new Error(`dictionary-encoded page without a dictionary in ${meta.path_in_schema.join('.')}`);
    // readDataPage leaves the definition levels out when every slot is defined.
    const definitions = page.definitionLevels && page.definitionLevels.length > 0 ? page.definitionLevels : undefined;
    if (filled + slots > expected) throw new Error(`column chunk ${meta.path_in_schema.join('.')} holds more than the ${expected} values its metadata says`);
    let next = 0;
    for (let slot = 0; slot < slots; slot += 1, filled += 1) {
      if (maxRepetitionLevel > 0) repetitionLevels[filled] = page.repetitionLevels[slot];
      const level = definitions ? definitions[slot] : maxDefinitionLevel;
      if (maxDefinitionLevel > 0) definitionLevels[filled] = level;
      if (level === maxDefinitionLevel) {
        const raw = page.dataPage[next];
        next += 1;
        values[filled] = dictionaryEncoded ? dictionary![raw as number] : raw;
      } else {
        values[filled] = null;
      }
    }
    if (next !== page.dataPage.length) throw new Error(`page of ${meta.path_in_schema.join('.')} holds ${page.dataPage.length} values for ${next} defined slots`);
  }
  return { repetitionLevels, definitionLevels, values, maxDefinitionLevel, maxRepetitionLevel };
}

/** Rows in the chunk: one per slot, or one per slot at repetition level 0 when the leaf repeats. */
export function rowCount(triples: LeafTriples): number {
  if (triples.maxRepetitionLevel === 0) return triples.values.length;
  let rows = 0;
  for (const level of triples.repetitionLevels) if (level === 0) rows += 1;
  return rows;
}
