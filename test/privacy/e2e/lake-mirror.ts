/**
 * The S3 side of the local Athena: before each statement, the current objects under the prefixes a query
 * can read are copied from moto's S3 into the local lake's folders (`<root>/<zone>/<key>`), so DuckDB
 * reads exactly what the erasure left in the bucket, and local file paths in results are mapped back to
 * the `s3://bucket/key` Athena's `"$path"` returns. Only current versions are mirrored: Athena reads
 * current objects, never noncurrent versions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface MirroredPrefix {
  /** Folder under the mirror root that stands for the bucket (the local lake's zone folder). */
  readonly folder: string;
  readonly bucket: string;
  /** The prefix copied before each statement; undefined: nothing copied, only paths mapped. */
  readonly prefix: string | undefined;
}

export class LakeMirror {
  constructor(
    private readonly s3: S3Client,
    readonly root: string,
    private readonly prefixes: readonly MirroredPrefix[],
  ) {}

  /** Replaces each mirrored prefix's local copy with the bucket's current objects; returns the keys per bucket. */
  async refresh(): Promise<Map<string, string[]>> {
    const copied = new Map<string, string[]>();
    for (const { folder, bucket, prefix } of this.prefixes) {
      if (prefix === undefined) continue;
      const local = path.join(this.root, folder, prefix);
      fs.rmSync(local, { recursive: true, force: true });
      fs.mkdirSync(local, { recursive: true });
      const keys = await currentKeys(this.s3, bucket, prefix);
      for (const key of keys) {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const target = path.join(this.root, folder, key);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      }
      copied.set(bucket, [...(copied.get(bucket) ?? []), ...keys]);
    }
    return copied;
  }

  /**
   * `s3://bucket/key` for a local file under a mirrored folder, or for the local lake's `"$path"`
   * (`s3://<zone folder>/<key>`: the engine names a zone's bucket after its folder); other text unchanged.
   */
  toS3(value: string): string {
    for (const { folder, bucket } of this.prefixes) {
      const local = `${path.join(this.root, folder)}${path.sep}`;
      if (value.startsWith(local)) return `s3://${bucket}/${value.slice(local.length).split(path.sep).join('/')}`;
      if (value.startsWith(`s3://${folder}/`)) return `s3://${bucket}/${value.slice(`s3://${folder}/`.length)}`;
    }
    return value;
  }
}

export async function currentKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}
