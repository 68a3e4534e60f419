/**
 * A rows collection checked against its dataset's contract at synth (lib/input-validation.ts through
 * constructs/embeddings/row-source-validation.ts): every bad input named with the environment file, the
 * field, the value and what is allowed.
 */
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import type { EnvironmentConfig } from '../../config/schema';
import type { DatasetDefinition } from '../../constructs/datasets';
import { rowClassification, rowSourceProblems } from '../../constructs/embeddings/row-source-validation';
import { resolveSettings, type RowSettings } from '../../constructs/embeddings/settings';
import { embeddingsDatasetProblems } from '../../lib/input-validation';

const documents = DATASETS.find((dataset) => dataset.name === 'documents') as DatasetDefinition;
const dev = loadEnvironmentConfig('dev');
const ROWS = resolveSettings({ collection: 'kb', source: 'rows', rows: { dataset: 'documents' } }).rows as RowSettings;

function problemsFor(collection: Record<string, unknown>, datasets: readonly DatasetDefinition[] = DATASETS): string[] {
  const config = { ...dev, embeddings: { ...dev.embeddings, collections: [{ collection: 'docs', dataset: 'documents', ...collection }] } } as EnvironmentConfig;
  return embeddingsDatasetProblems(config, datasets).map((p) => `${p.source}: ${p.field}: got ${p.value}; ${p.allowed}`);
}

describe('rows collection against its dataset', () => {
  it('the shipped documents collection and dataset agree', () => {
    expect(problemsFor({})).toEqual([]);
    expect(rowSourceProblems(ROWS, documents)).toEqual([]);
  });

  it('a dataset with data-subject keys must hand one of them to the chunks (else an erasure finds no vectors)', () => {
    const personal: DatasetDefinition = {
      ...documents,
      columns: [...documents.columns, { name: 'customer_id', type: 'string', description: 'Whose document', classification: 'pii' }],
      dataSubject: { keys: ['customer_id'] },
    };
    const refused = rowSourceProblems(ROWS, personal);
    expect(refused.map((p) => p.field)).toEqual(['rows.subjectColumn']);
    expect(refused[0]?.allowed).toMatch(/data-subject keys \(customer_id\)/);
    expect(rowSourceProblems({ ...ROWS, subjectColumn: 'document_id' }, personal).map((p) => p.field)).toEqual(['rows.subjectColumn']);
    expect(rowSourceProblems({ ...ROWS, subjectColumn: 'customer_id' }, personal)).toEqual([]);
    // No subject keys in the contract: nothing required (the shipped documents dataset).
    expect(rowSourceProblems(ROWS, documents)).toEqual([]);
  });

  it('refuses a column the dataset lacks, naming the file, the field and the columns it has', () => {
    expect(problemsFor({ rows: { textColumn: 'body' } })).toEqual([
      'config/environments/dev.ts: embeddings.collections[0].rows.textColumn: got "body"; a column of dataset "documents" (document_id, content, metadata, updated_at) holding the document text',
    ]);
  });

  it('refuses columns of types the row reader cannot use', () => {
    const odd: DatasetDefinition = {
      ...documents,
      columns: [
        { name: 'document_id', type: 'double', description: 'd', classification: 'internal' },
        { name: 'content', type: 'array<string>', description: 'd', classification: 'confidential' },
        { name: 'metadata', type: 'map<string,int>', description: 'd', classification: 'internal' },
        { name: 'updated_at', type: 'string', description: 'd', classification: 'internal' },
        { name: 'owner', type: 'boolean', description: 'd', classification: 'pii' },
      ],
    };
    expect(problemsFor({ rows: { subjectColumn: 'owner' } }, [odd])).toEqual([
      'config/environments/dev.ts: embeddings.collections[0].rows.idColumn: got "document_id"; a column holding the document id (string, varchar, char, tinyint, smallint, int, bigint); "document_id" is double',
      'config/environments/dev.ts: embeddings.collections[0].rows.textColumn: got "content"; a column holding the document text (string, varchar, char); "content" is array<string>',
      'config/environments/dev.ts: embeddings.collections[0].rows.orderColumn: got "updated_at"; a column holding what orders versions of a document (timestamp, date, tinyint, smallint, int, bigint); "updated_at" is string',
      'config/environments/dev.ts: embeddings.collections[0].rows.metadataColumn: got "metadata"; a column holding a map of strings (map<string,string>); "metadata" is map<string,int>',
      'config/environments/dev.ts: embeddings.collections[0].rows.subjectColumn: got "owner"; a column holding the data subject id (string, varchar, char, tinyint, smallint, int, bigint); "owner" is boolean',
    ]);
  });

  it('refuses a named metadata column the dataset lacks, and a subject key without a metadata column', () => {
    expect(problemsFor({ rows: { metadataColumn: 'attributes' } })).toEqual([
      'config/environments/dev.ts: embeddings.collections[0].rows.metadataColumn: got "attributes"; a column of dataset "documents" (document_id, content, metadata, updated_at) holding a map of strings',
    ]);
    const noMap = { ...documents, columns: documents.columns.filter((column) => column.name !== 'metadata') };
    expect(problemsFor({ rows: { subjectMetadataKey: 'owner' } }, [noMap])).toEqual([
      'config/environments/dev.ts: embeddings.collections[0].rows.metadataColumn: got "metadata"; a column of dataset "documents" (document_id, content, updated_at) holding a map of strings',
      'config/environments/dev.ts: embeddings.collections[0].rows.subjectMetadataKey: got "owner"; a key of the metadata map, which needs a metadata column in dataset "documents"',
    ]);
  });

  it('refuses rows from an Iceberg dataset, and says how to fix it', () => {
    const iceberg = { ...documents, format: 'iceberg' } as DatasetDefinition;
    expect(problemsFor({}, [iceberg])).toEqual([
      'config/environments/dev.ts: embeddings.collections[0].source: got "rows"; dataset "documents" is stored as iceberg; rows are read from plain Parquet datasets only (Iceberg keeps deletes in other files): point the collection at a Parquet dataset, or set source "objects" for a prefix of text files',
    ]);
    expect(problemsFor({ source: 'objects' }, [iceberg])).toEqual([]);
  });

  it('classifies rows by the most restrictive column read', () => {
    expect(rowClassification(ROWS, documents)).toBe('confidential');
    const withSubject = { ...documents, columns: [...documents.columns, { name: 'owner', type: 'string', description: 'd', classification: 'pii' as const }] };
    expect(rowClassification({ ...ROWS, subjectColumn: 'owner' }, withSubject)).toBe('pii');
  });
});
