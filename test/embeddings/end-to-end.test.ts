/**
 * End to end on PGlite + pgvector: ingest a corpus → edit one section → delete one document, asserting
 * exactly which chunks were embedded and which rows exist; a model change built side by side; and the
 * vector client's document-aware search and delete over the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, chunkRows, documentRows, s3Record, startHarness, type Harness } from './harness';
import { fakeEmbedding } from './bedrock-server';
import { createDocumentClient } from '../../vector-client/documents';
import { VectorClientInputError } from '../../vector-client/client';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const TITAN = 'amazon.titan-embed-text-v2:0';
/** Chunk settings are part of a generation: every consumer of the collection uses the same. */
const KB = { collection: 'kb', chunk: { size: 100, overlap: 20 } };
const section = (title: string, topic: string) => `## ${title}\n\n${Array.from({ length: 3 }, (_, i) => `The ${topic} section explains point ${i} in plain words.`).join(' ')}`;

const corpus: Record<string, string> = {
  'e2e/retention.markdown': ['# Retention', section('Raw zone', 'raw retention'), section('Curated zone', 'curated retention'), section('Backups', 'backup retention')].join('\n\n'),
  'e2e/access.markdown': ['# Access', section('Personas', 'persona'), section('Grants', 'grant')].join('\n\n'),
  'e2e/notes.txt': 'Operational notes.\n\nRotate keys yearly.',
};

const hnswIndexes = async () =>
  (await h.sql.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'embedding_chunks' AND indexdef LIKE '%hnsw%' AND indexdef LIKE '%''kb''%' ORDER BY indexname`)).rows.map((r) =>
    String(r.indexdef),
  );

describe('embeddings end to end', () => {
  const consume = () => h.consumer(KB);

  it('ingest → edit one section → delete one document: exactly the changed chunks are embedded', async () => {
    for (const [key, text] of Object.entries(corpus)) await h.put(key, text, { metadata: { status: key.endsWith('.markdown') ? 'active' : 'draft' } });
    const ingest = await consume()(batch(...Object.keys(corpus).map((key) => s3Record('created', key, '01'))));
    expect(ingest.batchItemFailures).toEqual([]);
    const first = await chunkRows(h.sql, 'kb');
    // Every chunk was embedded once (identical chunk texts are embedded once).
    expect(h.bedrock.embeddedTexts().sort()).toEqual([...new Set(first.map((r) => String(r.content)))].sort());
    expect(first.filter((r) => r.source_key === 's3://docs-bucket/e2e/retention.markdown').map((r) => String(r.content).split('\n')[0])).toEqual([
      '# Retention',
      '## Curated zone',
      '## Backups',
    ]);

    // Edit the "Backups" section only.
    const edited = corpus['e2e/retention.markdown'].replace('backup retention section explains point 1', 'backup retention section now explains point 1');
    await h.put('e2e/retention.markdown', edited, { metadata: { status: 'active' } });
    h.bedrock.requests.length = 0;
    await consume()(batch(s3Record('created', 'e2e/retention.markdown', '02')));
    const second = await chunkRows(h.sql, 'kb');
    const changed = second.filter((r) => !first.some((f) => f.source_key === r.source_key && f.content === r.content));
    expect(changed.map((r) => String(r.content).split('\n')[0])).toEqual(['## Backups']);
    expect(h.bedrock.embeddedTexts()).toEqual(changed.map((r) => r.content));

    // Delete one document.
    h.bedrock.requests.length = 0;
    await h.remove('e2e/notes.txt');
    await consume()(batch(s3Record('deleted', 'e2e/notes.txt', '02')));
    expect(h.bedrock.requests).toEqual([]);
    const third = await chunkRows(h.sql, 'kb');
    expect([...new Set(third.map((r) => r.source_key))]).toEqual(['s3://docs-bucket/e2e/access.markdown', 's3://docs-bucket/e2e/retention.markdown']);
    expect(third).toEqual(second.filter((r) => r.source_key !== 's3://docs-bucket/e2e/notes.txt'));
    expect((await documentRows(h.sql, 'kb')).map((d) => [d.source_key, d.status])).toEqual([
      ['s3://docs-bucket/e2e/access.markdown', 'indexed'],
      ['s3://docs-bucket/e2e/notes.txt', 'deleted'],
      ['s3://docs-bucket/e2e/retention.markdown', 'indexed'],
    ]);
  });

  it('document-aware search: top-k chunks with their document, metadata filters, dimension check', async () => {
    const client = createDocumentClient({ queryable: h.sql });
    const target = (await chunkRows(h.sql, 'kb')).find((r) => String(r.content).startsWith('## Grants')) as Record<string, unknown>;
    const query = fakeEmbedding(String(target.content), 256, TITAN);
    const [best] = await client.searchChunks('kb', query, 3);
    expect(best).toMatchObject({ sourceKey: 's3://docs-bucket/e2e/access.markdown', content: target.content, metadata: { status: 'active', heading: 'Grants' } });
    expect(best.distance).toBeCloseTo(0, 5);
    expect(best.similarity).toBeCloseTo(1, 5);

    await h.put('e2e/draft.txt', String(target.content), { metadata: { status: 'draft' } });
    await h.consumer(KB)(batch(s3Record('created', 'e2e/draft.txt', '01')));
    const drafts = await client.searchChunks('kb', query, 10, { metadataEquals: { status: 'draft' } });
    expect(drafts.map((r) => r.sourceKey)).toEqual(['s3://docs-bucket/e2e/draft.txt']);
    const active = await client.searchChunks('kb', query, 10, { metadata: { status: 'active' } });
    expect(active.every((r) => r.metadata.status === 'active')).toBe(true);
    expect(active).toHaveLength(5);

    await expect(client.searchChunks('kb', [1, 2, 3], 3)).rejects.toThrow(VectorClientInputError);
    await expect(client.searchChunks('kb', query, 0)).rejects.toThrow(/k must be/);
    await expect(client.searchChunks('nothing_here', query, 3)).resolves.toEqual([]);
  });

  it('delete-by-document removes every chunk and leaves a tombstone that keeps ordering', async () => {
    const client = createDocumentClient({ queryable: h.sql });
    expect(await client.deleteDocument('kb', 's3://docs-bucket/e2e/draft.txt')).toEqual({ chunks: 1, documents: 1 });
    expect((await chunkRows(h.sql, 'kb')).some((r) => r.source_key === 's3://docs-bucket/e2e/draft.txt')).toBe(false);
    // A late redelivery of the event that created it changes nothing.
    await h.consumer(KB)(batch(s3Record('created', 'e2e/draft.txt', '01')));
    expect((await chunkRows(h.sql, 'kb')).some((r) => r.source_key === 's3://docs-bucket/e2e/draft.txt')).toBe(false);
  });

  it('a model change builds a new generation side by side and switches when complete, never mixing models', async () => {
    const client = createDocumentClient({ queryable: h.sql });
    const before = await chunkRows(h.sql, 'kb');
    h.bedrock.requests.length = 0;
    // Dimensions 256 → 512, two documents re-embedded per invocation.
    const consume = h.consumer({ ...KB, dimensions: 512, backfillPerInvocation: 1 });
    await consume(batch());
    // Rows of the old model are still what searches read; the new generation is filling.
    expect(await client.activeGeneration('kb')).toMatchObject({ generation: 1, dimensions: 256 });
    const query = fakeEmbedding(String(before[0].content), 256, TITAN);
    expect((await client.searchChunks('kb', query, 1))[0].content).toBe(before[0].content);
    const mid = await chunkRows(h.sql, 'kb');
    expect(new Set(mid.map((r) => `${r.generation}:${r.dims}`))).toEqual(new Set(['1:256', '2:512']));
    // Each generation has its own index while the new one fills.
    expect(await hnswIndexes()).toEqual([expect.stringMatching(/::vector\(256\)\) vector_cosine_ops\) .* WHERE \(\(collection = 'kb'::text\) AND \(generation = 1\)\)$/), expect.stringMatching(/::vector\(512\)\) vector_cosine_ops\) .* WHERE \(\(collection = 'kb'::text\) AND \(generation = 2\)\)$/)]);

    // An event during the build goes to both generations.
    await h.put('e2e/new.txt', 'Brand new document during the switch.');
    await consume(batch(s3Record('created', 'e2e/new.txt', '01')));
    expect((await chunkRows(h.sql, 'kb')).filter((r) => r.source_key === 's3://docs-bucket/e2e/new.txt').map((r) => r.generation)).toEqual([1, 2]);

    // One document per invocation (access.markdown, then retention.markdown with the new.txt event); this one finds
    // nothing left and switches.
    await consume(batch());
    expect(await client.activeGeneration('kb')).toMatchObject({ generation: 2, model: TITAN, dimensions: 512 });
    const after = await chunkRows(h.sql, 'kb');
    expect(new Set(after.map((r) => `${r.generation}:${r.dims}`))).toEqual(new Set(['2:512']));
    expect(after.map((r) => [r.source_key, r.content])).toEqual(
      [...before.filter((r) => r.generation === 1), { source_key: 's3://docs-bucket/e2e/new.txt', content: 'Brand new document during the switch.' }]
        .map((r) => [r.source_key, r.content])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // Deleted and skipped documents are not re-embedded; every 512-d vector came from the new requests.
    expect(h.bedrock.requests.every((r) => r.status === 200)).toBe(true);
    const generations = (await h.sql.query(`SELECT generation, state, dimensions FROM embedding_generations WHERE collection = 'kb' ORDER BY generation`)).rows;
    expect(generations).toEqual([
      { generation: 1, state: 'retired', dimensions: 256 },
      { generation: 2, state: 'active', dimensions: 512 },
    ]);
    await expect(client.searchChunks('kb', query, 1)).rejects.toThrow(/512 dimensions/);
    // The switch dropped the old generation's index.
    expect(await hnswIndexes()).toEqual([expect.stringMatching(/WHERE \(\(collection = 'kb'::text\) AND \(generation = 2\)\)$/)]);
  });
});
