/**
 * The subject-hash salt from Secrets Manager (SALT_SECRET_ARN), read once per Lambda container: its
 * string value and its version id (stored beside every hash as `saltVersion`, so hashes made before a
 * rotation can still be checked with the old version).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { checkSalt, type Salt } from './subject-hash';

export type SecretsSend = Pick<SecretsManagerClient, 'send'>;

/** Reads the current version of the salt secret and checks it (never logs or echoes the value). */
export async function loadSalt(client: SecretsSend, secretArn: string): Promise<Salt> {
  const response = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (typeof response.SecretString !== 'string') throw new Error(`the salt secret ${secretArn} has no string value (a binary secret cannot be a salt here)`);
  return checkSalt({ value: response.SecretString, version: String(response.VersionId ?? '') });
}

/** A per-container cache of one salt: the secret is read on first use, and again after a failure. */
export function cachedSalt(load: () => Promise<Salt>): () => Promise<Salt> {
  let pending: Promise<Salt> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
