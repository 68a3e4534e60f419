import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Refuses uploads to `bucket` that ask for any encryption other than SSE-KMS with `key`.
 *
 * Uploads without encryption headers are allowed: the bucket's default (SSE-KMS with `key`) applies.
 * An upload that names SSE-S3, DSSE-KMS or a different KMS key is denied, so no object can end up
 * encrypted with a key this platform does not control. S3 compares the key header with the full key
 * ARN, so clients that name the key must use its ARN.
 */
export function denyOtherEncryption(bucket: s3.Bucket, key: kms.IKey): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyEncryptionOtherThanSseKms',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
    }),
  );
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyKmsKeysOtherThanTheLakeKey',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn } },
    }),
  );
}
