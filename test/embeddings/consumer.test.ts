/**
 * The SQS consumer on real engines (PGlite + pgvector, moto S3, the real Bedrock SDK against a loopback
 * InvokeModel server): each edge case of issue 15 with its outcome.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { batch, chunkRows, documentRows, s3Record, startHarness, type Harness } from './harness';
import type { DatabaseSession } from '../../constructs/embeddings/handler';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.bedrock.requests.length = 0;
  h.bedrock.throttleNext(0);
  h.bedrock.rejectTextsContaining(undefined);
  h.logs.length = 0;
  h.metrics.length = 0;
});

const failures = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) => response.batchItemFailures.map((f) => f.itemIdentifier);
const outcomes = () => h.logs.filter((l) => l.message === 'processed').map((l) => l.fields?.outcome);

describe('embeddings consumer', () => {
  it('indexes a document with governance fields from metadata and tags, and reports tokens and cost', async () => {
    await h.put('gov/guide.markdown', '# Guide\n\nThe lakehouse keeps governed data.\n\n## Access\n\nPersonas get Lake Formation grants.', {
      metadata: { dataset: 'handbook', status: 'active' },
      tags: 'classification=internal&data-subject-id=user-42',
    });
    const response = await h.consumer({ collection: 'gov' })(batch(s3Record('created', 'gov/guide.markdown', '0A')));
    expect(failures(response)).toEqual([]);
    const rows = await chunkRows(h.sql, 'gov');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ source_key: 's3://docs-bucket/gov/guide.markdown', dataset: 'handbook', classification: 'internal', data_subject_id: 'user-42', dims: 256 });
      expect(row.metadata).toMatchObject({ status: 'active', dataset: 'handbook', source_key: 's3://docs-bucket/gov/guide.markdown', format: 'markdown' });
    }
    const [metrics] = h.metrics;
    expect(metrics).toMatchObject({ Collection: 'gov', DocumentsIndexed: 1, ChunksEmbedded: rows.length, RecordsFailed: 0 });
    expect(metrics.EmbeddingTokens).toBeGreaterThan(0);
    expect(metrics.EstimatedCostUSD).toBeCloseTo((Number(metrics.EmbeddingTokens) / 1000) * 0.00002, 12);
  });

  it('a re-delivered event is a no-op: no model call, rows unchanged', async () => {
    await h.put('dup/a.txt', 'Some text about partitions.\n\nAnd more text.');
    const consume = h.consumer({ collection: 'dup' });
    const record = s3Record('created', 'dup/a.txt', '10');
    await consume(batch(record));
    const before = await chunkRows(h.sql, 'dup');
    h.bedrock.requests.length = 0;
    h.logs.length = 0;
    const response = await consume(batch(record, { ...record, messageId: 'again' }));
    expect(failures(response)).toEqual([]);
    expect(h.bedrock.requests).toEqual([]);
    expect(outcomes()).toEqual(['stale', 'stale']);
    expect(await chunkRows(h.sql, 'dup')).toEqual(before);
  });

  it('reversed events: the newer version wins, and a late "created" cannot resurrect a deleted document', async () => {
    await h.put('rev/a.txt', 'Version two text.');
    const consume = h.consumer({ collection: 'rev' });
    // The newer event (sequencer 0B, a shorter hex string compares after padding) arrives first.
    await consume(batch(s3Record('created', 'rev/a.txt', '0B'), s3Record('created', 'rev/a.txt', '0000A')));
    expect(outcomes()).toEqual(['indexed', 'stale']);
    expect((await chunkRows(h.sql, 'rev')).map((r) => r.content)).toEqual(['Version two text.']);

    await h.remove('rev/a.txt');
    await consume(batch(s3Record('deleted', 'rev/a.txt', '0D'), s3Record('created', 'rev/a.txt', '0C')));
    expect(await chunkRows(h.sql, 'rev')).toEqual([]);
    expect(await documentRows(h.sql, 'rev')).toEqual([{ source_key: 's3://docs-bucket/rev/a.txt', generation: 1, status: 'deleted', skip_reason: null, chunk_count: 0 }]);
  });

  it('a delete event for one version (a noncurrent version expiring) keeps the document its current object holds', async () => {
    await h.put('ver/a.txt', 'Current version text.');
    const consume = h.consumer({ collection: 'ver' });
    await consume(batch(s3Record('created', 'ver/a.txt', '01')));
    h.bedrock.requests.length = 0;
    h.logs.length = 0;
    await consume(batch(s3Record('deleted', 'ver/a.txt', '05', { versionId: 'v1-noncurrent' })));
    expect(outcomes()).toEqual(['indexed']);
    expect((await chunkRows(h.sql, 'ver')).map((r) => r.content)).toEqual(['Current version text.']);
    expect(h.bedrock.requests).toEqual([]);
  });

  it('malformed records are acknowledged and logged, the rest of the batch is processed', async () => {
    await h.put('mal/a.txt', 'Fine text.');
    const good = s3Record('created', 'mal/a.txt', '01');
    const response = await h.consumer({ collection: 'mal' })(
      batch(
        { messageId: 'not-json', body: '{' },
        { messageId: 'wrong-source', body: JSON.stringify({ source: 'aws.glue', 'detail-type': 'Object Created' }) },
        { messageId: 'no-key', body: JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'b' }, object: { sequencer: '01' } } }) },
        good,
      ),
    );
    expect(failures(response)).toEqual([]);
    expect(h.logs.filter((l) => l.message === 'malformed record acknowledged').map((l) => l.fields?.messageId)).toEqual(['not-json', 'wrong-source', 'no-key']);
    expect(h.metrics[0]).toMatchObject({ RecordsMalformed: 3, DocumentsIndexed: 1 });
  });

  it('skips with a reason, never failing the batch: gone before processing, 0 bytes, 50 MB, over the limit by its length, non-UTF-8, PDF', async () => {
    await h.put('skip/empty.txt', '');
    await h.put('skip/latin1.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0xeb, 0x6c]));
    await h.put('skip/report.pdf', '%PDF-1.7 ...', { contentType: 'application/pdf' });
    await h.put('skip/big.txt', 'word '.repeat(400));
    const response = await h.consumer({ collection: 'skip', maxObjectBytes: 1024 })(
      batch(
        s3Record('created', 'skip/never-existed.txt', '01'),
        s3Record('created', 'skip/empty.txt', '01', { size: 0 }),
        s3Record('created', 'skip/huge.txt', '01', { size: 50 * 1024 * 1024 }),
        s3Record('created', 'skip/big.txt', '01'),
        s3Record('created', 'skip/latin1.txt', '01'),
        s3Record('created', 'skip/report.pdf', '01'),
      ),
    );
    expect(failures(response)).toEqual([]);
    const docs = await documentRows(h.sql, 'skip');
    expect(docs.map((d) => [String(d.source_key).replace('s3://docs-bucket/skip/', ''), d.status, String(d.skip_reason).split(':')[0]])).toEqual([
      ['big.txt', 'skipped', 'too-large'],
      ['empty.txt', 'skipped', 'empty'],
      ['huge.txt', 'skipped', 'too-large'],
      ['latin1.txt', 'skipped', 'undecodable'],
      ['never-existed.txt', 'skipped', 'not-found'],
      ['report.pdf', 'skipped', 'unsupported-type'],
    ]);
    expect(h.bedrock.requests).toEqual([]);
    expect(h.metrics[0]).toMatchObject({ DocumentsSkipped: 6 });
  });

  it('a document deleted before it is processed ends as a tombstone, whichever event comes first; nothing is embedded', async () => {
    const consume = h.consumer({ collection: 'gone' });
    await h.put('gone/a.txt', 'Written and deleted at once.');
    await h.put('gone/b.txt', 'Written and deleted at once, too.');
    await h.remove('gone/a.txt');
    await h.remove('gone/b.txt');
    // a: created then deleted, in order; b: the delete arrives first.
    const response = await consume(
      batch(s3Record('created', 'gone/a.txt', '01'), s3Record('deleted', 'gone/a.txt', '02'), s3Record('deleted', 'gone/b.txt', '02'), s3Record('created', 'gone/b.txt', '01')),
    );
    expect(failures(response)).toEqual([]);
    expect(outcomes()).toEqual(['skipped', 'deleted', 'deleted', 'stale']);
    expect(await chunkRows(h.sql, 'gone')).toEqual([]);
    expect((await documentRows(h.sql, 'gone')).map((d) => [d.source_key, d.status, d.chunk_count])).toEqual([
      ['s3://docs-bucket/gone/a.txt', 'deleted', 0],
      ['s3://docs-bucket/gone/b.txt', 'deleted', 0],
    ]);
    expect(h.bedrock.requests).toEqual([]);
  });

  it('a real 50 MB object whose event carries no size is skipped as too large from its Content-Length', async () => {
    await h.put('big/fifty.txt', new Uint8Array(50 * 1024 * 1024).fill(0x61));
    const response = await h.consumer({ collection: 'big' })(batch(s3Record('created', 'big/fifty.txt', '01')));
    expect(failures(response)).toEqual([]);
    expect((await documentRows(h.sql, 'big')).map((d) => [d.status, d.skip_reason])).toEqual([['skipped', `too-large: ${50 * 1024 * 1024} bytes (limit ${10 * 1024 * 1024})`]]);
    expect(h.bedrock.requests).toEqual([]);
  });

  it('a throttle storm is ridden out with backoff and counted in the metrics', async () => {
    await h.put('thr/a.txt', 'Throttled text.');
    h.bedrock.throttleNext(3);
    const response = await h.consumer({ collection: 'thr' })(batch(s3Record('created', 'thr/a.txt', '01')));
    expect(failures(response)).toEqual([]);
    expect(h.bedrock.requests.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    expect(h.metrics[0]).toMatchObject({ EmbeddingThrottles: 3, EmbeddingCalls: 4, DocumentsIndexed: 1 });
  });

  it('a Bedrock error for one chunk fails that record only; its previous version stays whole', async () => {
    const consume = h.consumer({ collection: 'err' });
    const original = 'Original text of a. '.repeat(6).trim();
    await h.put('err/a.txt', original);
    await h.put('err/b.txt', 'Text of b.');
    await consume(batch(s3Record('created', 'err/a.txt', '01')));
    await h.put('err/a.txt', `${original}\n\nA poison paragraph the model refuses.`);
    h.bedrock.rejectTextsContaining('poison');
    const bad = s3Record('created', 'err/a.txt', '02');
    const good = s3Record('created', 'err/b.txt', '01');
    const response = await consume(batch(bad, good));
    expect(failures(response)).toEqual([bad.messageId]);
    expect((await chunkRows(h.sql, 'err')).map((r) => [r.source_key, r.content])).toEqual([
      ['s3://docs-bucket/err/a.txt', original],
      ['s3://docs-bucket/err/b.txt', 'Text of b.'],
    ]);
    // Redelivered once the model accepts it: swapped in, the unchanged first chunk's embedding reused.
    h.bedrock.rejectTextsContaining(undefined);
    h.bedrock.requests.length = 0;
    expect(failures(await consume(batch(bad)))).toEqual([]);
    expect((await chunkRows(h.sql, 'err')).filter((r) => r.source_key === 's3://docs-bucket/err/a.txt').map((r) => r.content)).toEqual([
      original,
      'A poison paragraph the model refuses.',
    ]);
    expect(h.bedrock.embeddedTexts()).toEqual(['A poison paragraph the model refuses.']);
  });

  it('a database failover mid-transaction: no half-swapped document; the record and the rest of the batch are retried', async () => {
    const consume = h.consumer({ collection: 'fo' });
    await h.put('fo/a.txt', 'First version.');
    await h.put('fo/b.txt', 'Other document.');
    await consume(batch(s3Record('created', 'fo/a.txt', '01')));
    await h.put('fo/a.txt', 'Second version.\n\nWith a new paragraph.');
    let failed = false;
    const failing = h.consumer(
      { collection: 'fo' },
      {
        connect: async (): Promise<DatabaseSession> => ({
          async query(text, params) {
            if (!failed && text.includes('INSERT INTO public.embedding_chunks')) {
              failed = true;
              // What a failover does: the server aborts the transaction, the client sees the connection end.
              await h.sql.query('ROLLBACK');
              throw Object.assign(new Error('Connection terminated unexpectedly'), {});
            }
            return h.sql.query(text, params);
          },
          end: async () => undefined,
        }),
      },
    );
    const a = s3Record('created', 'fo/a.txt', '02');
    const b = s3Record('created', 'fo/b.txt', '01');
    const response = await failing(batch(a, b));
    expect(failures(response)).toEqual([a.messageId, b.messageId]);
    expect((await chunkRows(h.sql, 'fo')).map((r) => r.content)).toEqual(['First version.']);
    expect(await documentRows(h.sql, 'fo')).toMatchObject([{ source_key: 's3://docs-bucket/fo/a.txt', status: 'indexed', chunk_count: 1 }]);

    expect(failures(await consume(batch(a, b)))).toEqual([]);
    expect((await chunkRows(h.sql, 'fo')).map((r) => r.content)).toEqual(['Second version.\n\nWith a new paragraph.', 'Other document.']);
  });

  it('a connection that cannot be opened fails every well-formed record', async () => {
    const consume = h.consumer({ collection: 'down' }, { connect: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) });
    const record = s3Record('created', 'down/a.txt', '01');
    expect(failures(await consume(batch(record, { messageId: 'junk', body: 'x' })))).toEqual([record.messageId]);
  });
});
