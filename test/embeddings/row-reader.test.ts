/**
 * The Parquet row reader on real files written by DuckDB in the documents contract's shape, and the
 * row sequencer and origin that order and locate row versions in the ledger.
 */
import { describe, expect, it } from 'vitest';
import { parquetMetadata } from 'hyparquet';
import { openParquet, type ParquetRows } from '../../constructs/embeddings/row-reader';
import { formatRowOrigin, parseRowOrigin, rowDocumentKey, rowSequencer } from '../../constructs/embeddings/row-documents';
import { compareSequencers } from '../../constructs/embeddings/events';
import { resolveSettings, type RowSettings } from '../../constructs/embeddings/settings';
import { documentsParquet, parquetFromQuery } from './parquet-documents';
import { ParquetDataError } from '../../constructs/embeddings/row-reader';

const ROWS = resolveSettings({ collection: 'kb', source: 'rows', rows: { dataset: 'documents' } }).rows as RowSettings;

async function open(bytes: Uint8Array, settings: RowSettings = ROWS): Promise<ParquetRows> {
  const opened = openParquet(bytes, settings);
  if (!opened.ok) throw new Error(opened.detail);
  return opened.file;
}

async function all(file: ParquetRows, positions: number[]) {
  const out = [];
  for await (const row of file.documents(positions)) out.push(row);
  return out;
}

describe('Parquet row reader', () => {
  it("reads the documents contract: each document's newest row, its text and metadata map (a NULL map reads as empty)", async () => {
    const file = await open(
      await documentsParquet([
        { id: 'a', content: 'First A.', metadata: { title: 'A', status: 'active' }, updatedAt: '2026-12-01 10:00:00' },
        { id: 'b', content: 'Only B.', metadata: null, updatedAt: '2026-12-01 10:00:00' },
        { id: 'a', content: 'Second A.', metadata: { title: 'A2' }, updatedAt: '2026-12-01 11:00:00' },
        { id: 'a', content: 'Older A, later in the file.', updatedAt: '2026-12-01 09:00:00' },
      ]),
    );
    expect(file.rowCount).toBe(4);
    const newest = await file.newestRows();
    expect(newest.invalid).toEqual([]);
    expect(newest.rows.map((r) => [r.row, r.id])).toEqual([
      [1, 'b'],
      [2, 'a'],
    ]);
    expect(await all(file, [1, 2])).toEqual([
      { row: 1, id: 'b', order: BigInt(Date.UTC(2026, 11, 1, 10)) * 1000n, text: 'Only B.', metadata: {} },
      { row: 2, id: 'a', order: BigInt(Date.UTC(2026, 11, 1, 11)) * 1000n, text: 'Second A.', metadata: { title: 'A2' } },
    ]);
  });

  it('keeps microseconds: two versions one microsecond apart are ordered', async () => {
    const file = await open(
      await documentsParquet([
        { id: 'a', content: 'later', updatedAt: '2026-12-01 10:00:00.000002' },
        { id: 'a', content: 'earlier', updatedAt: '2026-12-01 10:00:00.000001' },
      ]),
    );
    expect((await file.newestRows()).rows.map((r) => [r.row, r.order % 1000n])).toEqual([[0, 2n]]);
  });

  it('an equal ordering value inside one file: the later row wins', async () => {
    const file = await open(
      await documentsParquet([
        { id: 'a', content: 'first', updatedAt: '2026-12-01 10:00:00' },
        { id: 'a', content: 'second', updatedAt: '2026-12-01 10:00:00' },
      ]),
    );
    expect((await file.newestRows()).rows.map((r) => r.row)).toEqual([1]);
  });

  it('reports rows without a usable id or timestamp with a reason, and reads the rest', async () => {
    const file = await open(
      await documentsParquet([
        { id: null, content: 'no id', updatedAt: '2026-12-01 10:00:00' },
        { id: '', content: 'empty id', updatedAt: '2026-12-01 10:00:00' },
        { id: 'bad\nid', content: 'control character', updatedAt: '2026-12-01 10:00:00' },
        { id: 'x'.repeat(1025), content: 'too long', updatedAt: '2026-12-01 10:00:00' },
        { id: 'c', content: 'no time', updatedAt: null },
        { id: 'd', content: 'before 1970', updatedAt: '1969-12-31 23:59:59' },
        { id: 'ok', content: 'fine', updatedAt: '2026-12-01 10:00:00' },
      ]),
    );
    const { rows, invalid } = await file.newestRows();
    expect(rows.map((r) => r.id)).toEqual(['ok']);
    expect(invalid).toEqual([
      { row: 0, reason: 'document_id null is not a document id (a non-empty string or an integer)' },
      { row: 1, reason: 'document_id "" is not a document id (a non-empty string or an integer)' },
      { row: 2, reason: 'document_id is longer than 1024 characters or holds control characters' },
      { row: 3, reason: 'document_id is longer than 1024 characters or holds control characters' },
      { row: 4, reason: 'updated_at null cannot order versions (a timestamp or date from 1970, or a non-negative integer)' },
      { row: 5, reason: 'updated_at -1000000 cannot order versions (a timestamp or date from 1970, or a non-negative integer)' },
    ]);
  });

  it('null, empty or whitespace-only text reads as a delete (no text)', async () => {
    const file = await open(
      await documentsParquet([
        { id: 'a', content: null, updatedAt: '2026-12-01 10:00:00' },
        { id: 'b', content: '', updatedAt: '2026-12-01 10:00:00' },
        { id: 'c', content: ' \n\t', updatedAt: '2026-12-01 10:00:00' },
      ]),
    );
    expect((await all(file, [0, 1, 2])).map((r) => [r.id, 'text' in r])).toEqual([
      ['a', false],
      ['b', false],
      ['c', false],
    ]);
  });

  it('reads across row groups and GZIP pages', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `doc-${i}`, content: `Text of document ${i}.`, updatedAt: '2026-12-01 10:00:00' }));
    const bytes = await documentsParquet(rows, { compression: 'gzip', rowGroupSize: 2048 });
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(metadata.row_groups.length).toBeGreaterThan(1);
    expect(metadata.row_groups[0].columns[1].meta_data?.codec).toBe('GZIP');
    const file = await open(bytes);
    expect(file.rowCount).toBe(5000);
    const newest = await file.newestRows();
    expect(newest.rows).toHaveLength(5000);
    const picked = await all(file, [0, 2047, 2048, 4999]);
    expect(picked.map((r) => r.text)).toEqual(['Text of document 0.', 'Text of document 2047.', 'Text of document 2048.', 'Text of document 4999.']);
  });

  it('takes the subject from a metadata key; ignores a metadata column the file lacks', async () => {
    const bytes = await documentsParquet([{ id: 'a', content: 'x', metadata: { owner: 'user-7', lang: 'en' }, updatedAt: '2026-12-01 10:00:00' }]);
    const [fromKey] = await all(await open(bytes, { ...ROWS, subjectMetadataKey: 'owner' }), [0]);
    expect(fromKey).toMatchObject({ subject: 'user-7', metadata: { owner: 'user-7', lang: 'en' } });
    const [noMap] = await all(await open(bytes, { ...ROWS, metadataColumn: 'attributes' }), [0]);
    expect(noMap.metadata).toEqual({});
  });

  it('refuses bytes that are not Parquet and a file without a required column', async () => {
    expect(openParquet(new TextEncoder().encode('document_id,content\na,hello\n'), ROWS)).toEqual({ ok: false, detail: 'not a Parquet file (no PAR1 magic at its start and end)' });
    const bytes = await documentsParquet([{ id: 'a', content: 'x', updatedAt: '2026-12-01 10:00:00' }]);
    expect(openParquet(bytes, { ...ROWS, textColumn: 'body', subjectColumn: 'owner' })).toEqual({
      ok: false,
      detail: 'the file has no column body, owner (it has document_id, content, metadata, updated_at)',
    });
    const truncated = new Uint8Array([...bytes.subarray(0, 8), ...bytes.subarray(bytes.length - 4)]);
    expect(openParquet(truncated, ROWS)).toMatchObject({ ok: false, detail: expect.stringMatching(/^unreadable Parquet footer/) });
  });
});

describe('Parquet row reader: other column types and codecs', () => {
  it('integer ids, an integer version as the ordering value, a column for the subject', async () => {
    const bytes = await parquetFromQuery(`SELECT * FROM (VALUES (42::BIGINT, 'forty-two', 7::INTEGER, 1001::BIGINT), (42::BIGINT, 'older', 3::INTEGER, 1001::BIGINT)) t(ticket_id, body, version, customer_id)`);
    const settings: RowSettings = { ...ROWS, idColumn: 'ticket_id', textColumn: 'body', orderColumn: 'version', metadataColumn: null, subjectColumn: 'customer_id' };
    const file = await open(bytes, settings);
    const { rows } = await file.newestRows();
    expect(await all(file, rows.map((r) => r.row))).toEqual([{ row: 0, id: '42', order: 7n, text: 'forty-two', metadata: {}, subject: '1001' }]);
  });

  it.each([
    ['DATE', `DATE '2026-12-01'`, BigInt(Date.UTC(2026, 11, 1)) * 1000n],
    ['TIMESTAMP_MS', `TIMESTAMP_MS '2026-12-01 10:00:00.123'`, BigInt(Date.UTC(2026, 11, 1, 10, 0, 0, 123)) * 1000n],
    ['TIMESTAMP_NS', `TIMESTAMP_NS '2026-12-01 10:00:00.123456789'`, BigInt(Date.UTC(2026, 11, 1, 10)) * 1000n + 123_456n],
  ])('orders by a %s column in microseconds', async (_type, literal, micros) => {
    const file = await open(await parquetFromQuery(`SELECT 'a' AS document_id, 'x' AS content, ${literal} AS updated_at`));
    expect((await file.newestRows()).rows).toEqual([{ row: 0, id: 'a', order: micros }]);
  });

  it('reads BROTLI pages; ZSTD pages where the runtime has zstd (Node 22.15+), otherwise a decoding error', async () => {
    const rows = [{ id: 'a', content: 'compressed text', updatedAt: '2026-12-01 10:00:00' }];
    const brotli = await open(await documentsParquet(rows, { compression: 'brotli' }));
    expect((await all(brotli, [0]))[0].text).toBe('compressed text');
    const zstd = await open(await documentsParquet(rows, { compression: 'zstd' }));
    if ('zstdDecompressSync' in (await import('node:zlib'))) expect((await all(zstd, [0]))[0].text).toBe('compressed text');
    else await expect(zstd.newestRows()).rejects.toThrow(ParquetDataError);
  });

  it('a corrupt data page is a ParquetDataError naming the rows, not a crash', async () => {
    const bytes = await documentsParquet([{ id: 'a', content: 'x'.repeat(2000), updatedAt: '2026-12-01 10:00:00' }], { compression: 'snappy' });
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const content = metadata.row_groups[0].columns[1].meta_data!;
    const corrupt = new Uint8Array(bytes);
    // Overwrite the content column's first page (header and data) with garbage; the footer stays intact.
    corrupt.fill(0xff, Number(content.data_page_offset), Number(content.data_page_offset) + 64);
    const file = await open(corrupt);
    expect((await file.newestRows()).rows).toHaveLength(1); // the id and ordering columns still read
    await expect(all(file, [0])).rejects.toThrow(/^unreadable Parquet data in rows 0-0: /);
  });
});

describe('row sequencer and origin', () => {
  it('orders by the ordering value, then the S3 sequencer, then the row; 64 hex digits like a normalised S3 sequencer', () => {
    const seq = (order: bigint, s3: string, row: number) => rowSequencer(order, s3, row) as string;
    expect(seq(1n, '0', 0)).toHaveLength(64);
    expect(compareSequencers(seq(2n, '01', 0), seq(1n, 'FFFFFFFF', 9))).toBe(1);
    expect(compareSequencers(seq(1n, '0A', 0), seq(1n, '09', 9))).toBe(1);
    expect(compareSequencers(seq(1n, '0A', 3), seq(1n, 'a', 2))).toBe(1);
    expect(compareSequencers(seq(1n, '0A', 3), seq(1n, '000a', 3))).toBe(0);
    // The backfill command's sequencer 0 loses every tie against a real S3 event.
    expect(compareSequencers(seq(1n, '0', 5), seq(1n, '01', 0))).toBe(-1);
    expect(rowSequencer(1n, '1'.repeat(41), 0)).toBeUndefined();
  });

  it('keys row documents apart from object documents, and round-trips the origin', () => {
    expect(rowDocumentKey('documents', 'a/b')).toBe('documents/a/b');
    for (const origin of [
      { bucket: 'lake', key: 'documents/dt=2026-12-01/part 1.parquet', row: 0 },
      { bucket: 'lake', key: 'documents/x.parquet', versionId: 'v.1_a', row: 4095 },
    ]) {
      expect(parseRowOrigin(formatRowOrigin(origin))).toEqual(origin);
    }
    expect(parseRowOrigin('s3://lake/documents/x.parquet')).toBeUndefined();
    expect(parseRowOrigin(undefined)).toBeUndefined();
  });
});
