import { describe, expect, it } from 'vitest';
import { collectionSettings } from '../../config/embeddings-schema';
import { ConfigValidationError } from '../../config/errors';
import { loadEnvironmentConfig, validateEnvironmentConfig } from '../../config/load';
import { resolveSettings } from '../../constructs/embeddings';
import { DATASETS } from '../../config/datasets';

const FILE = 'config/environments/dev.ts';

/** The smallest valid dev config with `embeddings` (and `operations`) replaced. */
function withSection(section: Record<string, unknown>): Record<string, unknown> {
  return { name: 'dev', owner: 'o', costCenter: 'c', ...section };
}

function errorOf(raw: Record<string, unknown>): string {
  try {
    validateEnvironmentConfig(raw, FILE, 'dev');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

const cases: Array<{ title: string; section: Record<string, unknown>; line: string }> = [
  {
    title: 'a model the consumer cannot call',
    section: { embeddings: { model: 'openai.ada' } },
    line: '- embeddings.model: got "openai.ada"; is not supported (supported: amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3)',
  },
  {
    title: 'dimensions the section model does not offer, reported at the section',
    section: { embeddings: { dimensions: 300 } },
    line: '- embeddings.dimensions: got 300; is not offered by amazon.titan-embed-text-v2:0 (allowed: 1024, 512, 256)',
  },
  {
    title: "dimensions a collection's own model does not offer",
    section: { embeddings: { collections: [{ collection: 'docs', model: 'cohere.embed-english-v3', dimensions: 512 }] } },
    line: '- embeddings.collections[0].dimensions: got 512; is not offered by cohere.embed-english-v3 (allowed: 1024)',
  },
  {
    title: 'a collection name that is not snake_case',
    section: { embeddings: { collections: [{ collection: 'Docs' }] } },
    line: '- embeddings.collections[0].collection: got "Docs"; expected lower-case letters, digits and underscores',
  },
  {
    title: 'a chunk size under the minimum',
    section: { embeddings: { collections: [{ collection: 'docs', chunk: { size: 8, overlap: 2 } }] } },
    line: '- embeddings.collections[0].chunk.size: got 8; expected an integer from 16 to 8192',
  },
  {
    title: 'an overlap above half the chunk',
    section: { embeddings: { collections: [{ collection: 'docs', chunk: { size: 100, overlap: 60 } }] } },
    line: '- embeddings.collections[0].chunk.overlap: got 60; expected an integer from 0 to 50 (at most half the chunk size)',
  },
  {
    title: 'a collection listed twice',
    section: { embeddings: { collections: [{ collection: 'docs' }, { collection: 'docs' }] } },
    line: '- embeddings.collections[1].collection: got "docs"; duplicates collections[0]',
  },
  {
    title: 'an unknown collection field',
    section: { embeddings: { collections: [{ collection: 'docs', colour: 'red' }] } },
    line: '- embeddings.collections[0].colour: got "red"; unknown field "colour"',
  },
  {
    title: 'no collections while enabled',
    section: { embeddings: { collections: [] } },
    line: '- embeddings.collections: got []; must list at least one collection (or set enabled: false)',
  },
  {
    title: 'a reserved concurrency Lambda would refuse (it keeps 100 unreserved)',
    section: { embeddings: { reservedConcurrency: 901 } },
    line: '- embeddings.reservedConcurrency: got 901; must be at most 900: Lambda keeps 100 of the default regional quota of 1,000 unreserved',
  },
  {
    title: 'a reserved concurrency under the event source minimum',
    section: { embeddings: { reservedConcurrency: 1 } },
    line: '- embeddings.reservedConcurrency: got 1; must be at least 2 (the SQS event source scales to at least 2)',
  },
  {
    title: 'a timeout Lambda refuses',
    section: { embeddings: { timeoutSeconds: 1000 } },
    line: '- embeddings.timeoutSeconds: got 1000; must be at most 900 (Lambda limit)',
  },
  {
    title: 'a rate of zero',
    section: { embeddings: { collections: [{ collection: 'docs', requestsPerSecond: 0 }] } },
    line: '- embeddings.collections[0].requestsPerSecond: got 0; expected an integer from 1 to 10000',
  },
  {
    title: 'a dataset name that cannot be a dataset',
    section: { embeddings: { collections: [{ collection: 'docs', dataset: 'Documents!' }] } },
    line: '- embeddings.collections[0].dataset: got "Documents!"; must be a dataset name (lowercase snake_case)',
  },
  {
    title: 'a source that is neither objects nor rows',
    section: { embeddings: { collections: [{ collection: 'docs', source: 'table' }] } },
    line: '- embeddings.collections[0].source: got "table"; Invalid option: expected one of "objects"|"rows"',
  },
  {
    title: 'a row column name that is not snake_case',
    section: { embeddings: { collections: [{ collection: 'docs', rows: { idColumn: 'Doc-Id' } }] } },
    line: '- embeddings.collections[0].rows.idColumn: got "Doc-Id"; expected a dataset or column name (lower-case letters, digits and underscores)',
  },
  {
    title: 'an unknown rows field',
    section: { embeddings: { collections: [{ collection: 'docs', rows: { bodyColumn: 'body' } }] } },
    line: '- embeddings.collections[0].rows.bodyColumn: got "body"; unknown field "bodyColumn"',
  },
  {
    title: 'the text read from the id column',
    section: { embeddings: { collections: [{ collection: 'docs', rows: { textColumn: 'document_id' } }] } },
    line: '- embeddings.collections[0].rows: got {"textColumn":"document_id"}; must name different columns for idColumn, textColumn, orderColumn, metadataColumn and subjectColumn (got document_id, document_id, updated_at, metadata)',
  },
  {
    title: 'a subject from both a column and a metadata key',
    section: { embeddings: { collections: [{ collection: 'docs', rows: { subjectColumn: 'owner_id', subjectMetadataKey: 'owner' } }] } },
    line: '- embeddings.collections[0].rows.subjectMetadataKey: got "owner"; is set with subjectColumn: the data subject comes from one of them, drop the other',
  },
  {
    title: 'row columns on an objects collection',
    section: { embeddings: { collections: [{ collection: 'docs', source: 'objects', rows: { idColumn: 'id' } }] } },
    line: '- embeddings.collections[0].rows: got {"idColumn":"id"}; is set but source is "objects": set source "rows" or drop rows',
  },
  {
    title: 'enabled as a string',
    section: { embeddings: { enabled: 'yes' } },
    line: '- embeddings.enabled: got "yes"; Invalid input: expected boolean, received string',
  },
  {
    title: 'a queue-age alarm beyond the queue retention',
    section: { operations: { embeddingsQueueAgeMinutes: 10_000 } },
    line: '- operations.embeddingsQueueAgeMinutes: got 10000; must be at most 5760 (the queue keeps messages 4 days)',
  },
  {
    title: 'a failure-rate alarm of zero',
    section: { operations: { embeddingsFailurePercent: 0 } },
    line: '- operations.embeddingsFailurePercent: got 0; must be at least 0.1',
  },
];

describe('embeddings configuration', () => {
  it.each(cases)('refuses $title, naming the field, the value and what is allowed', ({ section, line }) => {
    const message = errorOf(withSection(section));
    expect(message).toContain(`Invalid configuration in ${FILE} (nothing was synthesized)`);
    expect(message).toContain(line);
  });

  it('reports every problem of one collection at once', () => {
    const message = errorOf(withSection({ embeddings: { collections: [{ collection: 'Docs', chunk: { size: 8 } }] } }));
    expect(message).toContain('embeddings.collections[0].collection');
    expect(message).toContain('embeddings.collections[0].chunk.size');
  });

  it('defaults to one documents collection on the documents dataset with Titan v2 at 1024 dimensions', () => {
    const config = validateEnvironmentConfig(withSection({}), FILE, 'dev');
    expect(config.embeddings).toEqual({
      enabled: true,
      model: 'amazon.titan-embed-text-v2:0',
      reservedConcurrency: 2,
      timeoutSeconds: 300,
      maxReceiveCount: 5,
      collections: [{ collection: 'documents', dataset: 'documents' }],
    });
    const settings = resolveSettings(collectionSettings(config.embeddings, config.embeddings.collections[0]));
    expect(settings).toMatchObject({ collection: 'documents', model: 'amazon.titan-embed-text-v2:0', dimensions: 1024, chunk: { size: 300, overlap: 60 } });
  });

  it('the shipped documents collection reads rows: its contract gives the metadata column and the classification', () => {
    const config = loadEnvironmentConfig('prod');
    const documents = DATASETS.find((dataset) => dataset.name === 'documents')!;
    const settings = resolveSettings(collectionSettings(config.embeddings, config.embeddings.collections[0], documents));
    expect([settings.source, settings.rows]).toEqual([
      'rows',
      { dataset: 'documents', classification: 'confidential', idColumn: 'document_id', textColumn: 'content', orderColumn: 'updated_at', metadataColumn: 'metadata' },
    ]);
    // A dataset without a metadata column: none is read; the classification follows the columns read.
    const plain = { ...documents, columns: documents.columns.filter((column) => column.name !== 'metadata' && column.name !== 'content').concat({ name: 'content', type: 'string', description: 'd', classification: 'internal' }) };
    expect(resolveSettings(collectionSettings(config.embeddings, config.embeddings.collections[0], plain)).rows).toMatchObject({ metadataColumn: null, classification: 'internal' });
    // An objects collection carries no row settings.
    const files = resolveSettings(collectionSettings(config.embeddings, { collection: 'files', dataset: 'documents', source: 'objects' }, documents));
    expect([files.source, files.rows]).toEqual(['objects', undefined]);
  });

  it("a collection inherits the section's model and dimensions, but not dimensions meant for another model", () => {
    const config = validateEnvironmentConfig(
      withSection({ embeddings: { dimensions: 512, collections: [{ collection: 'small' }, { collection: 'multi', model: 'cohere.embed-multilingual-v3' }] } }),
      FILE,
      'dev',
    );
    const [small, multi] = config.embeddings.collections.map((collection) => resolveSettings(collectionSettings(config.embeddings, collection)));
    expect([small.model, small.dimensions]).toEqual(['amazon.titan-embed-text-v2:0', 512]);
    expect([multi.model, multi.dimensions]).toEqual(['cohere.embed-multilingual-v3', 1024]);
  });

  it.each(['dev', 'staging', 'prod'])('%s deploys the pipeline; only dev lowers the Bedrock rate', (name) => {
    const config = loadEnvironmentConfig(name);
    expect(config.embeddings.enabled).toBe(true);
    const settings = resolveSettings(collectionSettings(config.embeddings, config.embeddings.collections[0]));
    expect(settings.requestsPerSecond).toBe(name === 'dev' ? 5 : 20);
  });
});
