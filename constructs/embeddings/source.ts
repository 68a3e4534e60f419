/**
 * Reads a source object from S3: its bytes (refusing to download more than the size limit), its
 * Content-Type, version, ETag, user metadata and tags (the governance fields come from either).
 */
import { GetObjectCommand, GetObjectTaggingCommand, type S3Client } from '@aws-sdk/client-s3';

export type FetchedObject =
  | {
      readonly found: true;
      readonly bytes: Uint8Array;
      readonly size: number;
      readonly contentType?: string;
      readonly etag?: string;
      readonly versionId?: string;
      /** User metadata (x-amz-meta-*), lower-case names. */
      readonly metadata: Readonly<Record<string, string>>;
      readonly tags: Readonly<Record<string, string>>;
    }
  | { readonly found: true; readonly tooLarge: true; readonly size: number }
  | { readonly found: false };

export interface ObjectSource {
  fetch(bucket: string, key: string, versionId: string | undefined, maxBytes: number): Promise<FetchedObject>;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return NOT_FOUND.has(String(e?.name)) || e?.$metadata?.httpStatusCode === 404;
}

export function s3Source(client: Pick<S3Client, 'send'>): ObjectSource {
  return {
    async fetch(bucket, key, versionId, maxBytes) {
      let response;
      try {
        response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      } catch (error) {
        if (isNotFound(error)) return { found: false };
        throw error;
      }
      const size = response.ContentLength ?? 0;
      if (size > maxBytes) {
        // Do not download what will not be used: close the stream.
        (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { found: true, tooLarge: true, size };
      }
      const bytes = response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
      let tags: Record<string, string> = {};
      try {
        const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: response.VersionId ?? versionId }));
        tags = Object.fromEntries((tagging.TagSet ?? []).map((tag) => [String(tag.Key).toLowerCase(), String(tag.Value)]));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      return {
        found: true,
        bytes,
        size: bytes.length,
        contentType: response.ContentType,
        etag: response.ETag?.replace(/"/g, ''),
        versionId: response.VersionId,
        metadata: Object.fromEntries(Object.entries(response.Metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
        tags,
      };
    },
  };
}
