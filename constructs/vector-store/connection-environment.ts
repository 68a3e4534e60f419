/**
 * The environment-variable contract between the vector store and the functions that query it. The
 * construct sets these on a consumer; `connectionFromEnvironment` (vector-client) reads them. They are
 * libpq's standard names, so psql and other PostgreSQL tools understand them too. There is no password
 * variable: consumers sign in as `<db>_readwrite` / `<db>_readonly` with an IAM authentication token.
 */

/** TLS modes the client accepts (others are refused, see connectionFromEnvironment). */
export type VectorStoreSslMode = 'verify-full' | 'disable';

export interface VectorStoreEnvironment {
  /** The instance (or proxy) endpoint host name. */
  readonly PGHOST: string;
  /** The port, as a decimal string (e.g. "5432"). */
  readonly PGPORT: string;
  /** The database holding the collections. */
  readonly PGDATABASE: string;
  /** `verify-full` in AWS (TLS, RDS CA bundle, host name checked); `disable` only for a local database. */
  readonly PGSSLMODE: VectorStoreSslMode;
  /** `<db>_readwrite` or `<db>_readonly`. */
  readonly PGUSER: string;
}

export const VECTOR_STORE_ENVIRONMENT_VARIABLES = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGSSLMODE', 'PGUSER'] as const satisfies ReadonlyArray<keyof VectorStoreEnvironment>;

export const VECTOR_STORE_SSL_MODES: readonly VectorStoreSslMode[] = ['verify-full', 'disable'];
