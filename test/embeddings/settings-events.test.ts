import { describe, expect, it } from 'vitest';
import { EmbeddingSettingsError, resolveSettings, settingsFromEnvironment } from '../../constructs/embeddings/settings';
import { compareSequencers, parseRecord } from '../../constructs/embeddings/events';
import { chunkSettingsOf, chunkerVersionOf, governanceOf } from '../../constructs/embeddings/pipeline';
import { isDatabaseError } from '../../constructs/embeddings/handler';

const problems = (input: unknown): string[] => {
  try {
    resolveSettings(input);
  } catch (error) {
    if (error instanceof EmbeddingSettingsError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('embeddings settings', () => {
  it('defaults: Titan v2 at 1024 dimensions, 300-token chunks with 20 % overlap, 10 MiB objects', () => {
    expect(resolveSettings({ collection: 'kb' })).toEqual({
      collection: 'kb',
      model: 'amazon.titan-embed-text-v2:0',
      dimensions: 1024,
      chunk: { size: 300, overlap: 60 },
      maxObjectBytes: 10 * 1024 * 1024,
      requestsPerSecond: 20,
      maxAttempts: 6,
      concurrency: 4,
      backfillPerInvocation: 20,
      source: 'objects',
    });
    expect(resolveSettings({ collection: 'kb', chunk: { size: 500 } }).chunk).toEqual({ size: 500, overlap: 100 });
  });

  it('names every invalid field with its path and what is allowed', () => {
    expect(problems({ collection: 'KB', model: 'gpt', chunk: { size: 10, overlap: 3, stride: 1 }, extra: true, maxAttempts: 0 })).toEqual([
      'settings.extra is not a setting (allowed: collection, model, dimensions, chunk, maxObjectBytes, requestsPerSecond, maxAttempts, concurrency, backfillPerInvocation, source, rows)',
      'settings.collection "KB": expected lower-case letters, digits and underscores, starting with a letter or underscore, at most 63',
      'settings.model "gpt" is not supported (supported: amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3)',
      'settings.chunk.stride is not a setting (allowed: size, overlap)',
      'settings.chunk.size 10: expected an integer from 16 to 8192 (the model accepts 8192 tokens)',
      'settings.maxAttempts 0: expected an integer from 1 to 20',
    ]);
    expect(problems({ collection: 'kb', dimensions: 768 })).toEqual(['settings.dimensions 768 is not offered by amazon.titan-embed-text-v2:0 (allowed: 1024, 512, 256)']);
    expect(problems({ collection: 'kb', model: 'cohere.embed-english-v3', chunk: { size: 600 } })).toEqual([
      'settings.chunk.size 600: expected an integer from 16 to 512 (the model accepts 512 tokens)',
    ]);
    expect(problems({ collection: 'kb', chunk: { size: 100, overlap: 51 } })).toEqual(['settings.chunk.overlap 51: expected an integer from 0 to 50 (at most half the chunk size)']);
    expect(problems({ collection: 'kb', chunk: 5 })).toEqual(['settings.chunk must be an object with size and overlap']);
    expect(problems([])).toEqual(['settings must be an object, got []']);
  });

  it('reads EMBEDDINGS_SETTINGS, refusing a missing or non-JSON value', () => {
    expect(settingsFromEnvironment({ EMBEDDINGS_SETTINGS: '{"collection":"kb","dimensions":256}' }).dimensions).toBe(256);
    expect(() => settingsFromEnvironment({})).toThrow(/EMBEDDINGS_SETTINGS is not set/);
    expect(() => settingsFromEnvironment({ EMBEDDINGS_SETTINGS: '{' })).toThrow(/EMBEDDINGS_SETTINGS is not JSON/);
  });

  it('the chunker version carries the chunk settings, and is read back', () => {
    expect(chunkerVersionOf({ size: 300, overlap: 60 })).toBe('structure-v1:300:60');
    expect(chunkSettingsOf('structure-v1:500:0', { size: 1, overlap: 0 })).toEqual({ size: 500, overlap: 0 });
    expect(chunkSettingsOf('legacy', { size: 300, overlap: 60 })).toEqual({ size: 300, overlap: 60 });
  });
});

describe('S3 events', () => {
  it('orders sequencers as S3 documents: hex, left-padded with zeros', () => {
    expect(compareSequencers('0A', 'B')).toBe(-1);
    expect(compareSequencers('00000000000000000F', 'e')).toBe(1);
    expect(compareSequencers('0a', 'A')).toBe(0);
  });

  it('parses an EventBridge S3 event and keeps the version, ETag and size', () => {
    const body = JSON.stringify({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      time: 't',
      detail: { bucket: { name: 'b' }, object: { key: 'k/a.txt', size: 12, etag: 'e', 'version-id': 'v', sequencer: '00AB' } },
    });
    expect(parseRecord({ messageId: 'm', body })).toEqual({
      ok: true,
      messageId: 'm',
      event: { kind: 'created', bucket: 'b', key: 'k/a.txt', size: 12, etag: 'e', versionId: 'v', sequencer: '00AB', time: 't' },
    });
  });

  it('says why a record is malformed', () => {
    const reason = (body: unknown) => {
      const parsed = parseRecord({ messageId: 'm', body: typeof body === 'string' ? body : JSON.stringify(body) });
      return parsed.ok ? 'ok' : parsed.reason;
    };
    expect(reason('null')).toBe('body is not a JSON object');
    expect(reason({ source: 'aws.s3', 'detail-type': 'Object Restore Completed' })).toMatch(/neither "Object Created" nor "Object Deleted"/);
    expect(reason({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: { object: { key: 'k', sequencer: '1' } } })).toBe('detail.bucket.name is missing');
    expect(reason({ source: 'aws.s3', 'detail-type': 'Object Deleted', detail: { bucket: { name: 'b' }, object: { key: 'k', sequencer: 'xyz' } } })).toMatch(/not hexadecimal/);
  });
});

describe('governance and error classification', () => {
  it('governance fields come from object metadata first, then tags', () => {
    expect(governanceOf({ dataset: 'd1' }, { dataset: 'd2', classification: 'pii', 'data-subject-id': 's' })).toEqual({ dataset: 'd1', classification: 'pii', dataSubjectId: 's' });
    expect(governanceOf({}, {})).toEqual({ dataset: undefined, classification: undefined, dataSubjectId: undefined });
  });

  it('database errors (SQLSTATE, socket codes, terminated connections) are told apart from model errors', () => {
    expect(isDatabaseError({ code: '40001', message: 'could not serialize' })).toBe(true);
    expect(isDatabaseError({ code: 'ECONNRESET' })).toBe(true);
    expect(isDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseError(Object.assign(new Error('Bedrock still failing after 6 attempts'), { name: 'EmbeddingError' }))).toBe(false);
  });
});
