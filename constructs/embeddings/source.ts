/**
 * Where the pipeline reads a source object from: its bytes (refusing to download more than the size
 * limit), its Content-Type, version, ETag, user metadata and tags (the governance fields come from
 * either). The S3 implementation (`s3Source`) is in handler.ts, which alone imports the AWS SDK.
 */

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
