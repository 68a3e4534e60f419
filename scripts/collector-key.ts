/**
 * Makes a write key for a collector source: prints the key once (give it to the sender; it is not stored
 * anywhere) and the entry to add to the source's secret, which holds only its SHA-256
 * (constructs/collector/README.md, "Write keys").
 * Usage: npm run collector:key -- --source <name> [--env dev|staging|prod] [--not-before <ISO instant>]
 */
import { parseArgs } from 'node:util';
import { ENVIRONMENT_NAMES } from '../config/limits';
import { isEnvironmentName, loadEnvironmentConfig } from '../config/load';
import { generateWriteKey, hashWriteKey, type WriteKeyEntry } from '../constructs/collector/write-key-document';
import { runCommand } from './command';

const USAGE = 'usage: npm run collector:key -- --source <name> [--env dev|staging|prod] [--not-before <ISO instant>]';

export interface KeyRequest {
  readonly source: string;
  readonly environment: string;
  readonly notBefore?: string;
}

/** Parses and checks the arguments against the environment's collector sources; throws with the fix. */
export function parseKeyRequest(argv: readonly string[]): KeyRequest {
  let values: { source?: string; env?: string; 'not-before'?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { source: { type: 'string' }, env: { type: 'string' }, 'not-before': { type: 'string' } } }));
  } catch (error) {
    throw new Error(`${(error as Error).message} (${USAGE})`);
  }
  const environment = values.env ?? 'dev';
  if (!isEnvironmentName(environment)) throw new Error(`--env ${JSON.stringify(environment)} is not an environment (${ENVIRONMENT_NAMES.join(', ')})`);
  const sources = loadEnvironmentConfig(environment).collector.sources;
  if (values.source === undefined) throw new Error(`--source is required: one of ${sources.map((s) => s.name).join(', ') || '(none in this environment)'} (${USAGE})`);
  const source = sources.find((s) => s.name === values.source);
  if (!source) throw new Error(`--source ${JSON.stringify(values.source)} is not a collector source of ${environment} (sources: ${sources.map((s) => s.name).join(', ') || 'none'})`);
  const notBefore = values['not-before'];
  if (notBefore !== undefined && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(notBefore) || Number.isNaN(Date.parse(notBefore)))) {
    throw new Error(`--not-before ${JSON.stringify(notBefore)} must be an ISO-8601 instant with a zone, for example 2026-12-01T00:00:00Z`);
  }
  return { source: source.name, environment, notBefore };
}

/** The entry for a key: an id from the source and the date, the hash, and the start when given. */
export function keyEntry(request: KeyRequest, key: string, now: Date): WriteKeyEntry {
  const id = `${request.source}-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`;
  return { id, sha256: hashWriteKey(key), ...(request.notBefore ? { notBefore: request.notBefore } : {}) };
}

export async function main(argv: readonly string[]): Promise<number> {
  const request = parseKeyRequest(argv);
  const key = generateWriteKey();
  const entry = keyEntry(request, key, new Date());
  const secret = loadEnvironmentConfig(request.environment).collector.sources.find((s) => s.name === request.source)!.writeKeySecret;
  console.log(`Write key for source "${request.source}" (${request.environment}); shown once, store it where the sender keeps secrets:\n\n  ${key}\n`);
  console.log(`Add this entry to "keys" in the secret ${secret} (it holds only the hash):\n\n  ${JSON.stringify(entry)}\n`);
  console.log('Rotation: keep the old entry until senders switched, then give it "notAfter". Revocation: "revoked": true.');
  return 0;
}

if (require.main === module) void runCommand('collector:key', main);
