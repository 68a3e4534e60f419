/**
 * Real AWS SDK clients on one moto server for the privacy runtime tests: the request table as the
 * privacy stack declares it (partition key `requestId`), a versioned work bucket, and a versioned ledger
 * bucket with Object Lock (default retention, or none when a test asks), plus a salt secret.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectLockConfigurationCommand, S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMotoServer, type MotoServer } from '../support/moto-server';

export const REGION = 'us-east-1';
export const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

export interface PrivacyMoto {
  readonly moto: MotoServer;
  readonly dynamo: DynamoDBClient;
  readonly s3: S3Client;
  readonly secrets: SecretsManagerClient;
  stop(): Promise<void>;
}

export async function startPrivacyMoto(): Promise<PrivacyMoto> {
  const moto = await startMotoServer();
  const config = { region: REGION, endpoint: moto.endpoint, credentials };
  const dynamo = new DynamoDBClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const secrets = new SecretsManagerClient(config);
  return {
    moto,
    dynamo,
    s3,
    secrets,
    async stop() {
      dynamo.destroy();
      s3.destroy();
      secrets.destroy();
      await moto.stop();
    },
  };
}

let counter = 0;
/** A fresh name per call, so tests in one file never share a table or bucket. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function createRequestTable(dynamo: DynamoDBClient): Promise<string> {
  const name = uniqueName('requests');
  await dynamo.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

export async function createWorkBucket(s3: S3Client): Promise<string> {
  const name = uniqueName('work');
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  return name;
}

/** A ledger bucket with Object Lock; `defaultRetention: false` leaves the bucket without a default rule. */
export async function createLedgerBucket(s3: S3Client, options: { defaultRetention?: boolean; lock?: boolean } = {}): Promise<string> {
  const name = uniqueName('ledger');
  await s3.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: options.lock ?? true }));
  if ((options.lock ?? true) && (options.defaultRetention ?? true)) {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: name,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      }),
    );
  }
  if (!(options.lock ?? true)) await s3.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  return name;
}

export async function createSalt(secrets: SecretsManagerClient, value = '0123456789abcdef'.repeat(4)): Promise<string> {
  const { ARN } = await secrets.send(new CreateSecretCommand({ Name: uniqueName('salt'), SecretString: value }));
  return String(ARN);
}

/** Every version and delete marker under a prefix. */
export async function versionsUnder(s3: S3Client, bucket: string, prefix: string): Promise<Array<{ key: string; versionId: string; deleteMarker: boolean }>> {
  const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  return [
    ...(listing.Versions ?? []).map((v) => ({ key: String(v.Key), versionId: String(v.VersionId), deleteMarker: false })),
    ...(listing.DeleteMarkers ?? []).map((v) => ({ key: String(v.Key), versionId: String(v.VersionId), deleteMarker: true })),
  ];
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return String(await response.Body?.transformToString());
}
