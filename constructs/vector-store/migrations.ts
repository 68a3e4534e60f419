/**
 * The vector store's schema as versioned, forward-only migrations, generated from the collections.
 * Pure functions: no driver, no CDK (bundled into the bootstrap handler, used by tests and tools).
 *
 * - Every migration has a stable version and a checksum of its SQL. The migrator records both in the
 *   ledger (`public.schema_migrations`) and refuses to continue when an applied migration's checksum
 *   has changed: released migrations are never edited, changes are new migrations.
 * - Every statement is idempotent on its own (`IF NOT EXISTS`, DO blocks), so a migration whose ledger
 *   row was lost can run again safely.
 * - Vector indexes are not migrations: they are index tasks (see vectorIndexTasks), built outside
 *   transactions with CREATE INDEX CONCURRENTLY, and named after their parameters so that a parameter
 *   change is a new index that replaces the old one once it is valid.
 *
 * Roles (PostgreSQL roles are cluster-wide, so they carry the database's name): `<db>_readwrite`
 * (SELECT, INSERT, UPDATE, DELETE), `<db>_readonly` (SELECT) and `<db>_privacy` (erasure: see
 * privacy-role.ts), all LOGIN without a password and members of `rds_iam`: they can only sign in with
 * an IAM authentication token.
 */
import { createHash } from 'node:crypto';
import type { VectorCollection } from './collections';
import { validateCollections, validateDatabaseName } from './collection-validation';
import { embeddingsLedgerStatements } from './embeddings-ledger-schema';
import { generationIndexStatements } from './embeddings-generation-index';
import { privacyRoleStatements } from './privacy-role';
import { LEDGER_TABLE, VECTOR_SCHEMA, indexWithClause, indexedExpression, operatorClass, qualifiedName, quoteIdent, vectorIndexName } from './sql';

export interface Migration {
  /** Stable, unique: `0001_vector_extension`, `0002_roles`, `collection/<name>/0001_table`. */
  readonly version: string;
  readonly description: string;
  /** Run in order, in one transaction. Each statement is idempotent. */
  readonly statements: readonly string[];
  /** sha256 (hex) of the statements, whitespace-normalised. */
  readonly checksum: string;
}

/** A vector index to build (outside any transaction) and the generated indexes it supersedes on its table. */
export interface IndexTask {
  readonly collection: string;
  readonly table: string;
  readonly indexName: string;
  readonly method: 'hnsw' | 'ivfflat';
  /** `embedding` or `(embedding::halfvec(N))`. */
  readonly expression: string;
  readonly operatorClass: string;
  /** `WITH (m = 16, ef_construction = 64)` / `WITH (lists = 100)`. */
  readonly withClause: string;
}

export interface RoleNames {
  /** `<db>_readwrite`: SELECT, INSERT, UPDATE, DELETE on the collection tables. */
  readonly readWrite: string;
  /** `<db>_readonly`: SELECT on the collection tables. */
  readonly readOnly: string;
  /**
   * `<db>_privacy`: the erasure workflow's role: DELETE and MAINTAIN (VACUUM) on the embeddings ledger
   * tables, SELECT on only the columns that find a data subject (migration `0005_privacy_role`).
   */
  readonly privacy: string;
}

export interface MigrationOptions {
  /** The database the collections live in (the role names derive from it). */
  readonly databaseName: string;
}

/** `<db>_readwrite` and `<db>_readonly`. */
export function roleNames(databaseName: string): RoleNames {
  const db = validateDatabaseName(databaseName);
  return { readWrite: `${db}_readwrite`, readOnly: `${db}_readonly`, privacy: `${db}_privacy` };
}

/** The ledger; created (idempotently) before any migration runs. */
export const LEDGER_DDL =
  `CREATE TABLE IF NOT EXISTS ${VECTOR_SCHEMA}.${LEDGER_TABLE} (version text PRIMARY KEY, checksum text, applied_at timestamptz DEFAULT now())`;

/** Every migration for these collections, in the order they must be applied. Validates first. */
export function vectorStoreMigrations(collections: readonly VectorCollection[], options: MigrationOptions): Migration[] {
  validateCollections(collections);
  const roles = roleNames(options.databaseName);
  return [
    migration('0001_vector_extension', 'pgvector extension', ['CREATE EXTENSION IF NOT EXISTS vector']),
    migration('0002_roles', `roles ${roles.readWrite} and ${roles.readOnly} (IAM authentication), default privileges`, roleStatements(roles)),
    ...collections.map((collection) =>
      migration(`collection/${collection.name}/0001_table`, `table ${VECTOR_SCHEMA}.${collection.name}, metadata index, grants`, tableStatements(collection, roles)),
    ),
    // Appended, never inserted: versions already applied keep their place.
    migration('0003_embeddings_ledger', 'embeddings pipeline: index generations, documents and chunks (ledger and vectors)', embeddingsLedgerStatements(roles)),
    migration(
      '0004_embeddings_generation_indexes',
      'embeddings pipeline: one HNSW index per generation, built and dropped through SECURITY DEFINER functions the read-write role may call',
      generationIndexStatements(roles),
    ),
    migration('0005_privacy_role', `role ${roles.privacy} (IAM authentication): erasure of data subjects from the embeddings ledger tables (DELETE, VACUUM)`, privacyRoleStatements(roles)),
  ];
}

/** The vector index of every collection. Validates first. */
export function vectorIndexTasks(collections: readonly VectorCollection[]): IndexTask[] {
  validateCollections(collections);
  return collections.map((collection) => ({
    collection: collection.name,
    table: collection.name,
    indexName: vectorIndexName(collection),
    method: collection.index.type,
    expression: indexedExpression(collection),
    operatorClass: operatorClass(collection),
    withClause: indexWithClause(collection.index),
  }));
}

export interface IndexStatementOptions {
  /** `CREATE INDEX CONCURRENTLY` (no write lock; not in a transaction). @default true */
  readonly concurrently?: boolean;
}

/** `CREATE INDEX CONCURRENTLY IF NOT EXISTS "<name>" ON public."<table>" USING hnsw (embedding vector_cosine_ops) WITH (...)`. */
export function createIndexStatement(task: IndexTask, options: IndexStatementOptions = {}): string {
  const concurrently = options.concurrently ?? true;
  return (
    `CREATE INDEX ${concurrently ? 'CONCURRENTLY ' : ''}IF NOT EXISTS ${quoteIdent(task.indexName)} ON ${qualifiedName(task.table)} ` +
    `USING ${task.method} (${task.expression} ${task.operatorClass}) ${task.withClause}`
  );
}

/** `DROP INDEX CONCURRENTLY IF EXISTS public."<name>"`. */
export function dropIndexStatement(indexName: string, options: IndexStatementOptions = {}): string {
  return `DROP INDEX ${(options.concurrently ?? true) ? 'CONCURRENTLY ' : ''}IF EXISTS ${qualifiedName(indexName)}`;
}

/** The checksum the ledger stores: sha256 of the statements with whitespace runs collapsed. */
export function migrationChecksum(statements: readonly string[]): string {
  const normalised = statements.map((statement) => statement.replace(/\s+/g, ' ').trim()).join(';\n');
  return createHash('sha256').update(normalised).digest('hex');
}

/** Builds a migration with its checksum (also for tests and for adding migrations by hand). */
export function migration(version: string, description: string, statements: readonly string[]): Migration {
  return { version, description, statements, checksum: migrationChecksum(statements) };
}

function roleStatements(roles: RoleNames): string[] {
  const both = `${quoteIdent(roles.readWrite)}, ${quoteIdent(roles.readOnly)}`;
  const createRole = (role: string) => `
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal(role)}) THEN
      BEGIN
        CREATE ROLE ${quoteIdent(role)} LOGIN;
      EXCEPTION WHEN duplicate_object THEN
        NULL; -- created concurrently (another database's bootstrap on the same instance)
      END;
    END IF;`;
  return [
    `DO $$
BEGIN${createRole(roles.readWrite)}${createRole(roles.readOnly)}
END
$$`,
    `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'rds_iam') THEN
    RAISE EXCEPTION 'role rds_iam does not exist: the vector store bootstrap targets Amazon RDS for PostgreSQL, whose rds_iam role enables IAM database authentication';
  END IF;
END
$$`,
    `GRANT rds_iam TO ${both}`,
    `DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), ${literal(roles.readWrite)}, ${literal(roles.readOnly)});
END
$$`,
    `GRANT USAGE ON SCHEMA ${VECTOR_SCHEMA} TO ${both}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${VECTOR_SCHEMA} GRANT SELECT ON TABLES TO ${quoteIdent(roles.readOnly)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${VECTOR_SCHEMA} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${quoteIdent(roles.readWrite)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${VECTOR_SCHEMA} GRANT USAGE, SELECT ON SEQUENCES TO ${quoteIdent(roles.readWrite)}`,
  ];
}

function tableStatements(collection: VectorCollection, roles: RoleNames): string[] {
  const table = qualifiedName(collection.name);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id varchar(255) UNIQUE NOT NULL,
  content text NOT NULL,
  embedding vector(${collection.dimensions}) NOT NULL,
  metadata jsonb DEFAULT '{}',
  created_at timestamptz DEFAULT now()
)`,
    // A table that already existed (adopted) must have the declared embedding type.
    `DO $$
DECLARE
  actual text;
BEGIN
  SELECT format_type(a.atttypid, a.atttypmod) INTO actual
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = ${literal(`${VECTOR_SCHEMA}.${collection.name}`)}::regclass AND a.attname = 'embedding' AND NOT a.attisdropped;
  IF actual IS DISTINCT FROM 'vector(${collection.dimensions})' THEN
    RAISE EXCEPTION 'table ${VECTOR_SCHEMA}.${collection.name} already exists with embedding %, but the collection declares vector(${collection.dimensions})', coalesce(actual, 'missing');
  END IF;
END
$$`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${collection.name}_metadata_gin`)} ON ${table} USING gin (metadata)`,
    `GRANT SELECT ON ${table} TO ${quoteIdent(roles.readOnly)}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${quoteIdent(roles.readWrite)}`,
  ];
}

/** A string literal of a validated identifier (quoteIdent has already refused anything with quotes). */
function literal(value: string): string {
  if (!/^[a-z_][a-z0-9_.]*$/.test(value)) throw new Error(`Refusing to use ${JSON.stringify(value)} as an SQL literal here`);
  return `'${value}'`;
}
