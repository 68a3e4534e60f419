/**
 * The S3 source's error paths that moto cannot produce on demand (moto covers the normal paths in
 * consumer.test.ts): a stand-in `send` that answers like the SDK does.
 */
import { describe, expect, it } from 'vitest';
import { GetObjectCommand, GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { s3Source } from '../../constructs/embeddings/handler';

const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('S3 source', () => {
  it('an access error is not a missing object: it propagates (the record is retried)', async () => {
    const source = s3Source({ send: async () => Promise.reject(sdkError('AccessDenied', 403)) } as never);
    await expect(source.fetch('b', 'k', undefined, 100)).rejects.toThrow('AccessDenied');
  });

  it('a version removed between GetObject and GetObjectTagging leaves no tags; other tagging errors propagate', async () => {
    const object = { ContentLength: 2, Body: { transformToByteArray: async () => new Uint8Array([104, 105]) }, Metadata: { Dataset: 'd' }, ETag: '"e"' };
    const answer = (tagging: () => Promise<unknown>) =>
      s3Source({ send: async (command: unknown) => (command instanceof GetObjectCommand ? object : command instanceof GetObjectTaggingCommand ? tagging() : undefined) } as never);
    await expect(answer(() => Promise.reject(sdkError('NoSuchVersion', 404))).fetch('b', 'k', 'v1', 100)).resolves.toMatchObject({
      found: true,
      tags: {},
      metadata: { dataset: 'd' },
      etag: 'e',
    });
    await expect(answer(() => Promise.reject(sdkError('AccessDenied', 403))).fetch('b', 'k', 'v1', 100)).rejects.toThrow('AccessDenied');
  });
});
