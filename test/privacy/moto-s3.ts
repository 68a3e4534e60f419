/** S3 on moto for the erasure tests: a client, versioned and plain buckets, and a listing of one key's versions. */
import {
  CreateBucketCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
  type PutObjectCommandInput,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { MotoServer } from '../support/moto-server';

export function motoS3(moto: MotoServer): S3Client {
  return new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}

export async function createBucket(s3: S3Client, bucket: string, versioned = true): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

export async function put(s3: S3Client, input: PutObjectCommandInput): Promise<string> {
  const written = await s3.send(new PutObjectCommand(input));
  return written.VersionId ?? 'null';
}

/** Version ids (newest first) and delete-marker ids of exactly `key`. */
export async function listVersions(s3: S3Client, bucket: string, key: string): Promise<{ versions: string[]; deleteMarkers: string[]; latest?: string }> {
  const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
  const versions = (page.Versions ?? []).filter((version) => version.Key === key);
  const markers = (page.DeleteMarkers ?? []).filter((marker) => marker.Key === key);
  return {
    versions: versions.map((version) => version.VersionId!),
    deleteMarkers: markers.map((marker) => marker.VersionId!),
    latest: [...versions, ...markers].find((entry) => entry.IsLatest)?.VersionId,
  };
}

/** Runs `action` once, just before the client's next command named `commandName` is sent. */
export function before(s3: S3Client, commandName: string, action: () => Promise<void>): void {
  let done = false;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === commandName) {
        done = true;
        await action();
      }
      return next(args);
    },
    { step: 'initialize', name: `before-${commandName}-${Math.random()}` },
  );
}
