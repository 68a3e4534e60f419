/**
 * A `rows` collection end to end on real engines: Parquet files in the documents contract's shape
 * (DuckDB) in moto's S3, the real consumer, the loopback Bedrock server, PGlite + pgvector. Two files
 * with rows for five documents (one updated in the second, one deleted by a tombstone row, one bad id),
 * then: an older file after a newer one, equal timestamps, a deleted Parquet object, a file cut short by
 * time, the backfill command's message, and a model change that re-reads rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetMetadata } from 'hyparquet';
import { objectCreatedMessage } from '../../scripts/embeddings-backfill';
import { BUCKET, batch, chunkRows, documentRows, s3Record, startHarness, type Harness } from './harness';
import { documentsParquet, parquetFromQuery, type DocumentRowInput } from './parquet-documents';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const SETTINGS = { collection: 'docrows', source: 'rows', rows: { dataset: 'documents', classification: 'confidential', subjectMetadataKey: 'owner' } } as const;
const consume = () => h.consumer(SETTINGS);
const FILE_1 = 'documents/dt=2026-12-01/part-1.parquet';
const FILE_2 = 'documents/dt=2026-12-02/part-2.parquet';

/** Paragraphs of about 25 estimated tokens: with 40-token chunks each is its own chunk. */
const paragraph = (topic: string, n: number) => `The ${topic} paragraph number ${n} explains its subject in several plain and simple words.`;
const text = (topic: string, paragraphs = 2) => Array.from({ length: paragraphs }, (_, i) => paragraph(topic, i)).join('\n\n');

const file1: DocumentRowInput[] = [
  { id: 'a', content: text('alpha'), metadata: { title: 'Alpha', status: 'active', owner: 'user-1' }, updatedAt: '2026-12-01 10:00:00' },
  { id: 'b', content: text('bravo', 3), metadata: { title: 'Bravo', status: 'active' }, updatedAt: '2026-12-01 10:00:00' },
  { id: 'c', content: text('charlie'), metadata: null, updatedAt: '2026-12-01 10:00:00' },
  { id: 'd', content: text('delta'), metadata: { status: 'draft' }, updatedAt: '2026-12-01 10:00:00' },
  { id: null, content: 'A row without an id.', updatedAt: '2026-12-01 10:00:00' },
  { id: 'e', content: text('echo'), updatedAt: '2026-12-01 10:00:00' },
];
const bravoEdited = text('bravo', 3).replace('bravo paragraph number 2 explains', 'bravo paragraph number 2 now explains');
const file2: DocumentRowInput[] = [
  { id: 'b', content: bravoEdited, metadata: { title: 'Bravo', status: 'active' }, updatedAt: '2026-12-02 10:00:00' },
  { id: 'c', content: null, updatedAt: '2026-12-02 10:00:00' },
  // Older than what file 1 gave a: stale.
  { id: 'a', content: 'An older alpha that must not win.', updatedAt: '2026-11-30 10:00:00' },
];

const metric = (name: string) => h.metrics.at(-1)?.[name];
const contents = (rows: Array<Record<string, unknown>>) => rows.map((r) => String(r.content));
const documents = async () => (await documentRows(h.sql, 'docrows')).map((d) => [d.source_key, d.generation, d.status]);

describe('rows collection end to end', () => {
  let afterFile2: Array<Record<string, unknown>>;

  it('file 1: one document per row keyed <dataset>/<id>, every chunk embedded once, the bad id skipped with a reason', async () => {
    await h.put(FILE_1, await documentsParquet(file1));
    const response = await consume()(batch(s3Record('created', FILE_1, '10')));
    expect(response.batchItemFailures).toEqual([]);
    const chunks = await chunkRows(h.sql, 'docrows');
    expect([...new Set(chunks.map((r) => r.source_key))]).toEqual(['documents/a', 'documents/b', 'documents/c', 'documents/d', 'documents/e']);
    expect(chunks.filter((r) => r.source_key === 'documents/b')).toHaveLength(3);
    expect(h.bedrock.embeddedTexts().sort()).toEqual([...new Set(contents(chunks))].sort());
    expect(await documents()).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => [`documents/${id}`, 1, 'indexed']));
    expect(h.logs).toContainEqual({ message: 'row skipped', fields: { file: `s3://${BUCKET}/${FILE_1}`, row: 4, reason: 'document_id null is not a document id (a non-empty string or an integer)' } });
    expect([metric('RowDocumentsIndexed'), metric('RowsInvalid'), metric('DocumentsIndexed'), metric('RecordsFailed')]).toEqual([5, 1, 1, 0]);
  });

  it('governance and metadata: the map, the dataset, its classification and the subject from the metadata key', async () => {
    const [alpha] = (await chunkRows(h.sql, 'docrows')).filter((r) => r.source_key === 'documents/a');
    expect(alpha).toMatchObject({ dataset: 'documents', classification: 'confidential', data_subject_id: 'user-1', dims: 256 });
    expect(alpha.metadata).toEqual({
      title: 'Alpha',
      status: 'active',
      owner: 'user-1',
      source_key: 'documents/a',
      document_id: 'a',
      format: 'parquet-row',
      dataset: 'documents',
      classification: 'confidential',
      data_subject_id: 'user-1',
      chunk: 0,
    });
    const [charlie] = (await chunkRows(h.sql, 'docrows')).filter((r) => r.source_key === 'documents/c');
    expect(charlie).toMatchObject({ data_subject_id: null, metadata: expect.not.objectContaining({ title: expect.anything() }) });
    const version = (await h.sql.query(`SELECT version_id FROM embedding_documents WHERE collection = 'docrows' AND source_key = 'documents/e'`)).rows[0].version_id;
    expect(version).toBe(`s3://${BUCKET}/${FILE_1}#5`);
  });

  it('file 2: the updated document re-embeds only its changed chunk, the tombstone row deletes, the older row is stale', async () => {
    const before = await chunkRows(h.sql, 'docrows');
    h.bedrock.requests.length = 0;
    await h.put(FILE_2, await documentsParquet(file2));
    expect((await consume()(batch(s3Record('created', FILE_2, '20')))).batchItemFailures).toEqual([]);
    afterFile2 = await chunkRows(h.sql, 'docrows');
    const changed = afterFile2.filter((r) => !before.some((b) => b.source_key === r.source_key && b.content === r.content));
    expect(changed.map((r) => [r.source_key, r.ordinal])).toEqual([['documents/b', 2]]);
    expect(h.bedrock.embeddedTexts()).toEqual(contents(changed));
    expect([...new Set(afterFile2.map((r) => r.source_key))]).toEqual(['documents/a', 'documents/b', 'documents/d', 'documents/e']);
    expect(afterFile2.filter((r) => r.source_key === 'documents/a')).toEqual(before.filter((r) => r.source_key === 'documents/a'));
    expect(await documents()).toEqual([
      ['documents/a', 1, 'indexed'],
      ['documents/b', 1, 'indexed'],
      ['documents/c', 1, 'deleted'],
      ['documents/d', 1, 'indexed'],
      ['documents/e', 1, 'indexed'],
    ]);
    expect([metric('RowDocumentsIndexed'), metric('RowDocumentsDeleted'), metric('RowDocumentsStale')]).toEqual([1, 1, 1]);
  });

  it('an older file delivered after a newer one changes nothing, nor does the backfill command re-sending it', async () => {
    h.bedrock.requests.length = 0;
    const ledger = await documentRows(h.sql, 'docrows');
    await consume()(batch(s3Record('created', FILE_1, '10')));
    const message = objectCreatedMessage(BUCKET, { key: FILE_1, size: 1 }, 'us-east-1');
    await consume()(batch({ messageId: 'backfill-1', body: JSON.stringify(message) }));
    expect(h.bedrock.requests).toEqual([]);
    expect(await chunkRows(h.sql, 'docrows')).toEqual(afterFile2);
    expect(await documentRows(h.sql, 'docrows')).toEqual(ledger);
    expect(metric('RowDocumentsStale')).toBe(5);
  });

  it('equal timestamps fall back to the S3 sequencer: the later event wins, the earlier one is stale', async () => {
    const same = (content: string): DocumentRowInput[] => [{ id: 'd', content, metadata: { status: 'draft' }, updatedAt: '2026-12-01 10:00:00' }];
    await h.put('documents/dt=2026-12-01/late.parquet', await documentsParquet(same('Delta rewritten at the same time, later event.')));
    await h.put('documents/dt=2026-12-01/early.parquet', await documentsParquet(same('Delta rewritten at the same time, earlier event.')));
    await consume()(batch(s3Record('created', 'documents/dt=2026-12-01/late.parquet', '30'), s3Record('created', 'documents/dt=2026-12-01/early.parquet', '25')));
    expect(contents((await chunkRows(h.sql, 'docrows')).filter((r) => r.source_key === 'documents/d'))).toEqual(['Delta rewritten at the same time, later event.']);
  });

  it('deleting a Parquet object deletes no document (rows are versions)', async () => {
    const before = await chunkRows(h.sql, 'docrows');
    await h.remove(FILE_2);
    const response = await consume()(batch(s3Record('deleted', FILE_2, '40')));
    expect(response.batchItemFailures).toEqual([]);
    expect(await chunkRows(h.sql, 'docrows')).toEqual(before);
    expect(metric('EventsStale')).toBe(1);
  });

  it('a file that is not Parquet is recorded as skipped under its object key, apart from the documents', async () => {
    await h.put('documents/dt=2026-12-03/notes.txt', 'plain text is not a row file');
    await consume()(batch(s3Record('created', 'documents/dt=2026-12-03/notes.txt', '50')));
    const [row] = (await documentRows(h.sql, 'docrows')).filter((d) => d.source_key === `s3://${BUCKET}/documents/dt=2026-12-03/notes.txt`);
    expect(row).toMatchObject({ status: 'skipped', skip_reason: 'undecodable: not a Parquet file (no PAR1 magic at its start and end)', chunk_count: 0 });
  });

  it('a file cut short by time: the record is retried, applied rows stay, the retry finishes the rest', async () => {
    const rows = ['f', 'g', 'h', 'i'].map((id) => ({ id, content: `Document ${id} of the big file.`, updatedAt: '2026-12-03 10:00:00' }));
    await h.put('documents/dt=2026-12-03/big.parquet', await documentsParquet(rows));
    // 100 s at the start (margin 25 s); two rows later only 10 s are left.
    let asked = 0;
    const context = { getRemainingTimeInMillis: () => (asked++ < 3 ? 100_000 : 10_000) };
    const record = s3Record('created', 'documents/dt=2026-12-03/big.parquet', '60');
    const first = await consume()(batch(record, s3Record('created', FILE_1, '10')), context);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([record.messageId, expect.any(String)]);
    expect([metric('RowDocumentsIndexed'), metric('RecordsFailed')]).toEqual([2, 0]);
    const indexed = async () => (await documentRows(h.sql, 'docrows')).filter((d) => /^documents\/[fghi]$/.test(String(d.source_key))).map((d) => d.source_key);
    expect(await indexed()).toEqual(['documents/f', 'documents/g']);
    const second = await consume()(batch(record), { getRemainingTimeInMillis: () => 100_000 });
    expect(second.batchItemFailures).toEqual([]);
    expect([metric('RowDocumentsIndexed'), metric('RowDocumentsStale')]).toEqual([2, 2]);
    expect(await indexed()).toEqual(['documents/f', 'documents/g', 'documents/h', 'documents/i']);
  });

  it('a model change re-reads each document from its row, carries tombstones, and records a document whose file is gone as skipped', async () => {
    const before = (await chunkRows(h.sql, 'docrows')).filter((r) => r.source_key !== 'documents/d');
    // b's current version is row 0 of file 2 (deleted above: put it back, as a restore would); d's came
    // from late.parquet: once that is gone, d cannot be re-read for the new model.
    await h.put(FILE_2, await documentsParquet(file2));
    await h.remove('documents/dt=2026-12-01/late.parquet');
    h.bedrock.requests.length = 0;
    const response = await h.consumer({ ...SETTINGS, dimensions: 512, backfillPerInvocation: 100 })(batch());
    expect(response.batchItemFailures).toEqual([]);
    const generations = (await h.sql.query(`SELECT generation, state, dimensions FROM embedding_generations WHERE collection = 'docrows' ORDER BY generation`)).rows;
    expect(generations).toEqual([
      { generation: 1, state: 'retired', dimensions: 256 },
      { generation: 2, state: 'active', dimensions: 512 },
    ]);
    const after = await chunkRows(h.sql, 'docrows');
    expect(after.every((r) => r.generation === 2 && r.dims === 512)).toBe(true);
    expect(after.map((r) => [r.source_key, r.content])).toEqual(before.map((r) => [r.source_key, r.content]));
    const ledger = await documentRows(h.sql, 'docrows');
    expect(ledger.find((d) => d.source_key === 'documents/c')).toMatchObject({ generation: 2, status: 'deleted' });
    expect(ledger.find((d) => d.source_key === 'documents/d')).toMatchObject({ generation: 2, status: 'skipped', skip_reason: `not-found: s3://${BUCKET}/documents/dt=2026-12-01/late.parquet#0 cannot be read any more; write the document's row again (a new file) to index it again` });

    // The tombstone holds in the new generation: the old file's row for c does not come back.
    h.bedrock.requests.length = 0;
    await h.consumer({ ...SETTINGS, dimensions: 512 })(batch(s3Record('created', FILE_1, '10')));
    expect((await documentRows(h.sql, 'docrows')).find((d) => d.source_key === 'documents/c')).toMatchObject({ status: 'deleted' });
    expect((await chunkRows(h.sql, 'docrows')).some((r) => r.source_key === 'documents/c')).toBe(false);

    // d's row written again in a new file (same updated_at, a later S3 event) indexes it in the new generation.
    await h.put('documents/dt=2026-12-01/late-again.parquet', await documentsParquet([{ id: 'd', content: 'Delta rewritten at the same time, later event.', metadata: { status: 'draft' }, updatedAt: '2026-12-01 10:00:00' }]));
    await h.consumer({ ...SETTINGS, dimensions: 512 })(batch(s3Record('created', 'documents/dt=2026-12-01/late-again.parquet', '70')));
    expect((await documentRows(h.sql, 'docrows')).find((d) => d.source_key === 'documents/d')).toMatchObject({ generation: 2, status: 'indexed', chunk_count: 1 });
  });
});

describe('rows collection: files and rows that cannot be read', () => {
  const EDGE = { collection: 'rowedge', source: 'rows', rows: { dataset: 'documents' } } as const;
  const edgeDocuments = async () => documentRows(h.sql, 'rowedge');
  const fileSkip = async (key: string) => (await edgeDocuments()).find((d) => d.source_key === `s3://${BUCKET}/${key}`);
  const row = (id: string | null, content = `Text of ${id}.`): DocumentRowInput => ({ id, content, updatedAt: '2026-12-05 10:00:00' });

  it('a sequencer too long to order rows by: the file is skipped with the reason', async () => {
    await h.put('edge/long.parquet', await documentsParquet([row('x')]));
    await h.consumer(EDGE)(batch(s3Record('created', 'edge/long.parquet', '1'.repeat(41))));
    expect(await fileSkip('edge/long.parquet')).toMatchObject({ status: 'skipped', skip_reason: `undecodable: S3 sequencer ${'1'.repeat(41)} is longer than 40 digits` });
  });

  it('a file of invalid rows only: the first 20 are logged one by one, the rest counted, the file recorded as skipped', async () => {
    await h.put('edge/invalid.parquet', await documentsParquet(Array.from({ length: 25 }, () => row(null))));
    h.logs.length = 0;
    await h.consumer(EDGE)(batch(s3Record('created', 'edge/invalid.parquet', '10')));
    expect(h.logs.filter((l) => l.message === 'row skipped')).toHaveLength(20);
    expect(h.logs).toContainEqual({ message: 'rows skipped', fields: { file: `s3://${BUCKET}/edge/invalid.parquet`, more: 5 } });
    expect(await fileSkip('edge/invalid.parquet')).toMatchObject({ status: 'skipped', skip_reason: 'no-text: no row has a valid document_id and updated_at (25 rows)' });
  });

  it('pages that do not decode: the file is recorded as skipped, whichever pass meets them', async () => {
    const corrupted = async (column: number) => {
      const bytes = await documentsParquet([row('p', 'x'.repeat(2000))]);
      const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      const offset = Number(metadata.row_groups[0].columns[column].meta_data!.data_page_offset);
      const corrupt = new Uint8Array(bytes);
      corrupt.fill(0xff, offset, offset + 32);
      return corrupt;
    };
    await h.put('edge/bad-id.parquet', await corrupted(0));
    await h.put('edge/bad-text.parquet', await corrupted(1));
    await h.consumer(EDGE)(batch(s3Record('created', 'edge/bad-id.parquet', '10'), s3Record('created', 'edge/bad-text.parquet', '10')));
    expect(await fileSkip('edge/bad-id.parquet')).toMatchObject({ status: 'skipped', skip_reason: expect.stringMatching(/^undecodable: unreadable Parquet data in rows 0-0: /) });
    expect(await fileSkip('edge/bad-text.parquet')).toMatchObject({ status: 'skipped', skip_reason: expect.stringMatching(/^undecodable: unreadable Parquet data in rows 0-0: /) });
    expect((await edgeDocuments()).some((d) => d.source_key === 'documents/p')).toBe(false);
  });

  it('a row whose text PostgreSQL cannot store (NUL) is recorded as skipped for its document; the rest of the file is applied', async () => {
    await h.put(
      'edge/nul.parquet',
      await parquetFromQuery(
        `SELECT * FROM (VALUES ('n', 'before' || chr(0) || 'after', TIMESTAMP '2026-12-06 10:00:00'), ('m', 'Fine text.', TIMESTAMP '2026-12-06 10:00:00')) t(document_id, content, updated_at)`,
      ),
    );
    const response = await h.consumer(EDGE)(batch(s3Record('created', 'edge/nul.parquet', '10')));
    expect(response.batchItemFailures).toEqual([]);
    const ledger = await edgeDocuments();
    expect(ledger.find((d) => d.source_key === 'documents/n')).toMatchObject({ status: 'skipped', skip_reason: 'undecodable: the text, metadata or subject holds NUL characters (PostgreSQL cannot store them)' });
    expect(ledger.find((d) => d.source_key === 'documents/m')).toMatchObject({ status: 'indexed' });
    expect([metric('RowDocumentsSkipped'), metric('RowDocumentsIndexed')]).toEqual([1, 1]);
  });

  it('a model change records each document whose row cannot be re-read as skipped, with the reason', async () => {
    await h.put('edge/a.parquet', await documentsParquet([row('y')]));
    await h.put('edge/b.parquet', await documentsParquet([row('z'), row('w')]));
    await h.put('edge/c.parquet', await documentsParquet([row('v')]));
    await h.consumer(EDGE)(batch(s3Record('created', 'edge/a.parquet', '10'), s3Record('created', 'edge/b.parquet', '10'), s3Record('created', 'edge/c.parquet', '10')));
    // a: no longer Parquet; b: another document at row 0 and no row 1 any more; v: its origin lost.
    await h.put('edge/a.parquet', 'not parquet any more');
    await h.put('edge/b.parquet', await documentsParquet([row('other')]));
    await h.sql.query(`UPDATE embedding_documents SET version_id = 'somewhere' WHERE collection = 'rowedge' AND source_key = 'documents/v'`);
    await h.consumer({ ...EDGE, dimensions: 512, backfillPerInvocation: 100 })(batch());
    const reasons = Object.fromEntries((await edgeDocuments()).filter((d) => /^documents\/[yzwv]$/.test(String(d.source_key))).map((d) => [d.source_key, [d.generation, d.status, d.skip_reason]]));
    const rewrite = "; write the document's row again (a new file) to index it again";
    expect(reasons).toEqual({
      'documents/v': [2, 'skipped', `not-found: no row origin recorded ("somewhere")${rewrite}`],
      'documents/w': [2, 'skipped', `not-found: s3://${BUCKET}/edge/b.parquet#1 no longer holds this document${rewrite}`],
      'documents/y': [2, 'skipped', `not-found: s3://${BUCKET}/edge/a.parquet#0: not a Parquet file (no PAR1 magic at its start and end)${rewrite}`],
      'documents/z': [2, 'skipped', `not-found: s3://${BUCKET}/edge/b.parquet#0 no longer holds this document${rewrite}`],
    });
  });

  it('a collection switched from rows to objects cannot re-read its row documents: they are recorded as skipped', async () => {
    await h.put('edge/d.parquet', await documentsParquet([row('u')]));
    await h.consumer({ ...EDGE, dimensions: 512 })(batch(s3Record('created', 'edge/d.parquet', '10')));
    await h.consumer({ collection: 'rowedge', dimensions: 1024, backfillPerInvocation: 100 })(batch());
    expect((await edgeDocuments()).find((d) => d.source_key === 'documents/u')).toMatchObject({ generation: 3, status: 'skipped', skip_reason: 'not-found: a row document, and the collection no longer reads rows' });
  });
});
