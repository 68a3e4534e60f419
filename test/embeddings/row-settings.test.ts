/**
 * The `rows` source settings (what the function checks at start-up and the construct at synth): defaults
 * that match the shipped documents dataset, and every bad value named with its field.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddingSettingsError, resolveSettings } from '../../constructs/embeddings/settings';

const problems = (input: unknown): string[] => {
  try {
    resolveSettings(input);
  } catch (error) {
    if (error instanceof EmbeddingSettingsError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('rows source settings', () => {
  it('defaults to the documents contract: document_id, content, updated_at, metadata', () => {
    expect(resolveSettings({ collection: 'kb', source: 'rows', rows: { dataset: 'documents' } })).toMatchObject({
      source: 'rows',
      rows: { dataset: 'documents', idColumn: 'document_id', textColumn: 'content', orderColumn: 'updated_at', metadataColumn: 'metadata' },
    });
  });

  it('takes other column names, no metadata column, a subject column or metadata key, a classification', () => {
    const rows = { dataset: 'tickets', idColumn: 'ticket_id', textColumn: 'body', orderColumn: 'version', metadataColumn: null, subjectColumn: 'customer_id', classification: 'pii' };
    expect(resolveSettings({ collection: 'kb', source: 'rows', rows }).rows).toEqual(rows);
    expect(resolveSettings({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', subjectMetadataKey: 'owner' } }).rows?.subjectMetadataKey).toBe('owner');
  });

  it('survives the JSON round trip the function environment makes (null metadata column stays null)', () => {
    const resolved = resolveSettings({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', metadataColumn: null } });
    expect(resolveSettings(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
  });

  it('refuses an unknown source, rows without a dataset, rows on an objects collection', () => {
    expect(problems({ collection: 'kb', source: 'table' })).toEqual(['settings.source "table": expected one of objects, rows']);
    expect(problems({ collection: 'kb', source: 'rows' })).toEqual(['settings.rows (missing): source "rows" needs an object naming at least the dataset ({"dataset": "documents"})']);
    expect(problems({ collection: 'kb', source: 'rows', rows: {} })).toEqual(['settings.rows.dataset (missing): expected the dataset the Parquet files belong to']);
    expect(problems({ collection: 'kb', rows: { dataset: 'documents' } })).toEqual(['settings.rows is set but source is "objects": set source "rows" or drop rows']);
  });

  it('refuses bad column names, unknown keys, the same column twice, two subject sources', () => {
    expect(problems({ collection: 'kb', source: 'rows', rows: { dataset: 'Documents', idColumn: 'doc-id', textColumn: 7, colour: 'x' } })).toEqual([
      'settings.rows.colour is not a setting (allowed: dataset, classification, idColumn, textColumn, orderColumn, metadataColumn, subjectColumn, subjectMetadataKey)',
      'settings.rows.dataset "Documents": expected a dataset or column name (lower-case letters, digits and underscores)',
      'settings.rows.idColumn "doc-id": expected a dataset or column name (lower-case letters, digits and underscores)',
      'settings.rows.textColumn 7: expected a dataset or column name (lower-case letters, digits and underscores)',
    ]);
    expect(problems({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', textColumn: 'document_id' } })).toEqual([
      'settings.rows must name different columns for idColumn, textColumn, orderColumn, metadataColumn and subjectColumn (got document_id, document_id, updated_at, metadata)',
    ]);
    expect(problems({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', subjectColumn: 'owner', subjectMetadataKey: 'owner' } })).toEqual([
      'settings.rows.subjectMetadataKey is set with subjectColumn: the data subject comes from one of them, drop the other',
    ]);
    expect(problems({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', metadataColumn: null, subjectMetadataKey: 'owner' } })).toEqual([
      'settings.rows.subjectMetadataKey needs a metadataColumn (it is null)',
    ]);
    expect(problems({ collection: 'kb', source: 'rows', rows: { dataset: 'documents', subjectMetadataKey: '', classification: '' } })).toEqual([
      'settings.rows.classification "": expected a classification name (1-64 characters)',
      'settings.rows.subjectMetadataKey "": expected a key of the metadata map (1-255 characters)',
    ]);
  });
});
