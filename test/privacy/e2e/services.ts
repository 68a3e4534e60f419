/**
 * The AWS side of the end-to-end erasure test, on one moto server, laid out as the privacy stack lays it
 * out: the versioned raw lake bucket, the versioned work bucket (subjects files, find/forget manifests),
 * the ledger bucket with Object Lock default retention (governance, as dev), the request table keyed by
 * `requestId`, and the salt secret (32 random bytes, hex). Clients use the real AWS SDK.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startMotoServer, type MotoServer } from '../../support/moto-server';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** Names as an environment `local` of project `lakehouse` would have them. */
export const NAMES = {
  rawBucket: 'lakehouse-local-raw',
  curatedBucket: 'lakehouse-local-curated',
  workBucket: 'lakehouse-local-privacy-work',
  ledgerBucket: 'lakehouse-local-privacy-ledger',
  requestTable: 'lakehouse-local-erasure-requests',
  saltSecret: 'lakehouse-local/privacy/salt',
} as const;

export interface PrivacyServices {
  readonly moto: MotoServer;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly secrets: SecretsManagerClient;
  readonly saltSecretArn: string;
  readonly salt: string;
  stop(): Promise<void>;
}

/** An S3 client on the moto endpoint (path-style: moto serves no bucket subdomains). */
export function motoS3Client(endpoint: string): S3Client {
  return new S3Client({ region: REGION, endpoint, credentials: CREDENTIALS, forcePathStyle: true });
}

export async function startPrivacyServices(): Promise<PrivacyServices> {
  // Offline SDK clients: never probe the instance metadata service.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const moto = await startMotoServer();
  const common = { region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS };
  const s3 = motoS3Client(moto.endpoint);
  const dynamodb = new DynamoDBClient(common);
  const secrets = new SecretsManagerClient(common);
  try {
    for (const bucket of [NAMES.rawBucket, NAMES.curatedBucket, NAMES.workBucket]) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    await s3.send(new CreateBucketCommand({ Bucket: NAMES.ledgerBucket, ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: NAMES.ledgerBucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      }),
    );
    await dynamodb.send(
      new CreateTableCommand({
        TableName: NAMES.requestTable,
        AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const salt = randomBytes(32).toString('hex');
    const secret = await secrets.send(new CreateSecretCommand({ Name: NAMES.saltSecret, SecretString: salt }));
    return {
      moto,
      s3,
      dynamodb,
      secrets,
      saltSecretArn: secret.ARN as string,
      salt,
      async stop() {
        s3.destroy();
        dynamodb.destroy();
        secrets.destroy();
        await moto.stop();
      },
    };
  } catch (error) {
    await moto.stop();
    throw error;
  }
}
