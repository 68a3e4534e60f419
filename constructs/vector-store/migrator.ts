/**
 * Applies the vector store's migrations and builds its vector indexes, with any `pg`-compatible client
 * (`pg.Client`, a `pg.PoolClient`, or an adapter): only `query(sql, params)` is used.
 *
 * Migrations: each in its own transaction (BEGIN … COMMIT, ROLLBACK on any error), serialised across
 * concurrent runs by a transaction-level advisory lock, recorded in the ledger with its checksum, and
 * skipped when already applied. An applied migration whose checksum changed stops the run before
 * anything is applied (forward-only).
 *
 * Index tasks: built outside transactions. For each task: if a build is running on the table (another
 * session, e.g. a previous invocation that ran out of time), wait; drop an INVALID leftover of the
 * wanted index; `CREATE INDEX CONCURRENTLY`; check `pg_index.indisvalid`; then drop the generated
 * indexes it supersedes (same table, older parameters). Nothing here drops a table or a row.
 */
import type { Migration, IndexTask } from './migrations';
import { LEDGER_DDL, createIndexStatement, dropIndexStatement } from './migrations';
import { LEDGER_TABLE, VECTOR_SCHEMA, isGeneratedVectorIndexName } from './sql';

/** The one thing the migrator needs from a driver (pg.Client, pg.PoolClient, or an adapter). */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** Serialises bootstraps of the same database (pg_advisory_xact_lock key). */
export const MIGRATION_LOCK_KEY = 4_711_020_251_117;

export interface MigrationRunResult {
  /** Versions applied by this run, in order. */
  readonly applied: string[];
  /** Versions that were already in the ledger with the same checksum. */
  readonly skipped: string[];
  /** Versions in the ledger that this run does not declare (e.g. a removed collection): retained, untouched. */
  readonly retained: string[];
}

export interface ChecksumMismatch {
  readonly version: string;
  readonly applied: string | null;
  readonly declared: string;
}

/** An applied migration changed: migrations are forward-only. */
export class MigrationChecksumError extends Error {
  constructor(readonly mismatches: readonly ChecksumMismatch[]) {
    super(
      `Applied migrations have changed (forward-only: an applied migration is never edited or re-run):\n` +
        mismatches
          .map((m) => `  - ${m.version}: applied with checksum ${m.applied ?? '(none)'}, now declares ${m.declared}${hint(m.version)}`)
          .join('\n') +
        `\nNothing was applied. Revert the change, or express it as a new migration.`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/** A migration failed and was rolled back. */
export class MigrationFailedError extends Error {
  constructor(
    readonly version: string,
    readonly statementIndex: number,
    readonly statement: string,
    override readonly cause: unknown,
  ) {
    super(
      `Migration ${version} failed at statement ${statementIndex + 1} (${firstLine(statement)}): ${describe(cause)}. ` +
        `It was rolled back: none of its statements and no ledger row remain.`,
    );
    this.name = 'MigrationFailedError';
  }
}

export interface MigratorOptions {
  /** @default console.log */
  readonly log?: (message: string) => void;
}

/** The ledger's contents: version → checksum. Creates the ledger if needed. */
export async function appliedMigrations(client: SqlClient): Promise<Map<string, string | null>> {
  await inTransaction(client, async () => {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await client.query(LEDGER_DDL);
  });
  const { rows } = await client.query(`SELECT version, checksum FROM ${VECTOR_SCHEMA}.${LEDGER_TABLE} ORDER BY applied_at, version`);
  return new Map(rows.map((row) => [String(row.version), row.checksum === null ? null : String(row.checksum)]));
}

/** Applies the migrations not yet in the ledger, each in its own transaction. */
export async function applyMigrations(client: SqlClient, migrations: readonly Migration[], options: MigratorOptions = {}): Promise<MigrationRunResult> {
  const log = options.log ?? ((message: string) => console.log(message));
  const versions = new Set<string>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new Error(`Duplicate migration version ${m.version}`);
    versions.add(m.version);
  }

  const ledger = await appliedMigrations(client);
  const mismatches = migrations
    .filter((m) => ledger.has(m.version) && ledger.get(m.version) !== m.checksum)
    .map((m) => ({ version: m.version, applied: ledger.get(m.version) ?? null, declared: m.checksum }));
  if (mismatches.length > 0) throw new MigrationChecksumError(mismatches);

  const applied: string[] = [];
  const skipped: string[] = [];
  for (const m of migrations) {
    if (ledger.has(m.version)) {
      skipped.push(m.version);
      continue;
    }
    let statementIndex = -1;
    try {
      const ran = await inTransaction(client, async () => {
        await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
        // Another run may have applied it since the ledger was read.
        const { rows } = await client.query(`SELECT checksum FROM ${VECTOR_SCHEMA}.${LEDGER_TABLE} WHERE version = $1`, [m.version]);
        if (rows.length > 0) {
          if (rows[0].checksum !== m.checksum) {
            throw new MigrationChecksumError([{ version: m.version, applied: rows[0].checksum === null ? null : String(rows[0].checksum), declared: m.checksum }]);
          }
          return false;
        }
        for (const [index, statement] of m.statements.entries()) {
          statementIndex = index;
          await client.query(statement);
        }
        statementIndex = -1;
        await client.query(`INSERT INTO ${VECTOR_SCHEMA}.${LEDGER_TABLE} (version, checksum) VALUES ($1, $2)`, [m.version, m.checksum]);
        return true;
      });
      if (ran) {
        applied.push(m.version);
        log(`Applied migration ${m.version} (${m.description})`);
      } else {
        skipped.push(m.version);
      }
    } catch (error) {
      if (error instanceof MigrationChecksumError || statementIndex < 0) throw error;
      throw new MigrationFailedError(m.version, statementIndex, m.statements[statementIndex], error);
    }
  }
  const retained = [...ledger.keys()].filter((version) => !versions.has(version));
  if (retained.length > 0) log(`Ledger versions no longer declared (retained, nothing dropped): ${retained.join(', ')}`);
  return { applied, skipped, retained };
}

/** What is left to do for a task. */
export type IndexTaskState =
  /** the wanted index does not exist */
  | 'missing'
  /** it exists but is INVALID (a failed or interrupted concurrent build) */
  | 'invalid'
  /** an index build is running on the table in another session */
  | 'building'
  /** the wanted index is valid, older generated indexes are still there */
  | 'superseded';

export interface PendingIndexTask {
  readonly task: IndexTask;
  readonly state: IndexTaskState;
  /** Generated indexes on the table that the wanted index replaces. */
  readonly superseded: readonly string[];
}

export interface ExistingIndex {
  readonly name: string;
  readonly valid: boolean;
  readonly method: string;
  readonly reloptions: readonly string[];
}

/** The indexes of a collection table (pg_index, pg_class, pg_am). Throws when the table does not exist. */
export async function tableIndexes(client: SqlClient, table: string): Promise<ExistingIndex[]> {
  const { rows: exists } = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${VECTOR_SCHEMA}.${table}`]);
  if (exists[0]?.present !== true) throw new Error(`Table ${VECTOR_SCHEMA}.${table} does not exist: apply the migrations before the index tasks`);
  const { rows } = await client.query(
    `SELECT c.relname AS name, i.indisvalid AS valid, am.amname AS method, coalesce(c.reloptions, '{}') AS reloptions
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
       JOIN pg_catalog.pg_am am ON am.oid = c.relam
      WHERE i.indrelid = to_regclass($1)
      ORDER BY c.relname`,
    [`${VECTOR_SCHEMA}.${table}`],
  );
  return rows.map((row) => ({
    name: String(row.name),
    valid: row.valid === true,
    method: String(row.method),
    reloptions: parseTextArray(row.reloptions),
  }));
}

async function buildRunning(client: SqlClient, table: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM pg_catalog.pg_stat_progress_create_index WHERE relid = to_regclass($1) AND pid <> pg_backend_pid()`,
    [`${VECTOR_SCHEMA}.${table}`],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

async function inspect(client: SqlClient, task: IndexTask): Promise<PendingIndexTask | undefined> {
  if (await buildRunning(client, task.table)) return { task, state: 'building', superseded: [] };
  const indexes = await tableIndexes(client, task.table);
  const superseded = indexes
    .filter((index) => index.name !== task.indexName && isGeneratedVectorIndexName(task.table, index.name) && (index.method === 'hnsw' || index.method === 'ivfflat'))
    .map((index) => index.name);
  const wanted = indexes.find((index) => index.name === task.indexName);
  if (!wanted) return { task, state: 'missing', superseded };
  if (!wanted.valid) return { task, state: 'invalid', superseded };
  if (superseded.length > 0) return { task, state: 'superseded', superseded };
  return undefined;
}

/** The tasks with something left to do (empty when every wanted index is valid and nothing superseded remains). */
export async function pendingIndexTasks(client: SqlClient, tasks: readonly IndexTask[]): Promise<PendingIndexTask[]> {
  const pending: PendingIndexTask[] = [];
  for (const task of tasks) {
    const state = await inspect(client, task);
    if (state) pending.push(state);
  }
  return pending;
}

export interface IndexTaskOptions extends MigratorOptions {
  /**
   * `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY` (writes continue during the build; needs
   * to run outside a transaction). Turn off only for an engine without it.
   * @default true
   */
  readonly concurrently?: boolean;
  /**
   * Epoch milliseconds after which no new build starts, and a running one is no longer waited for
   * (it keeps running in the server; see IndexTaskRunResult.abandoned).
   * @default no deadline
   */
  readonly deadline?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface IndexTaskRunResult {
  /** Indexes built by this run. */
  readonly built: string[];
  /** Indexes dropped by this run (invalid leftovers and superseded indexes). */
  readonly dropped: string[];
  /** What is still left (re-inspected at the end, unless a build was abandoned). */
  readonly pending: PendingIndexTask[];
  /** True when nothing is pending. */
  readonly complete: boolean;
  /**
   * The index whose build was still running on this connection at the deadline. The server finishes
   * it on its own; the caller must discard the connection (it is busy) and check again later.
   */
  readonly abandoned?: string;
}

/** Builds the missing vector indexes and drops the ones they supersede, within the deadline. */
export async function applyIndexTasks(client: SqlClient, tasks: readonly IndexTask[], options: IndexTaskOptions = {}): Promise<IndexTaskRunResult> {
  const log = options.log ?? ((message: string) => console.log(message));
  const now = options.now ?? (() => Date.now());
  const concurrently = options.concurrently ?? true;
  const built: string[] = [];
  const dropped: string[] = [];

  for (const [position, task] of tasks.entries()) {
    if (options.deadline !== undefined && now() >= options.deadline) {
      log(`Index budget used up; ${tasks.length - position} task(s) left for the next check`);
      break;
    }
    let state = await inspect(client, task);
    if (!state) continue;
    if (state.state === 'building') {
      log(`An index build is running on ${task.table} in another session; waiting for it`);
      continue;
    }
    if (state.state === 'invalid') {
      log(`Dropping INVALID index ${task.indexName} (left by an interrupted build) before rebuilding it`);
      await client.query(dropIndexStatement(task.indexName, { concurrently }));
      dropped.push(task.indexName);
      state = { ...state, state: 'missing' };
    }
    if (state.state === 'missing') {
      const sql = createIndexStatement(task, { concurrently });
      log(`Building ${task.indexName}: ${sql}`);
      const started = now();
      const outcome = await withinDeadline(client.query(sql), options.deadline === undefined ? undefined : options.deadline - now());
      if (outcome === 'timeout') {
        log(`Build of ${task.indexName} still running at the deadline; the server finishes it, the next check picks it up`);
        return { built, dropped, pending: [{ task, state: 'building', superseded: state.superseded }], complete: false, abandoned: task.indexName };
      }
      const after = (await tableIndexes(client, task.table)).find((index) => index.name === task.indexName);
      if (!after?.valid) {
        throw new Error(`Index ${task.indexName} on ${VECTOR_SCHEMA}.${task.table} is ${after ? 'INVALID' : 'missing'} after CREATE INDEX; the next attempt drops and rebuilds it`);
      }
      built.push(task.indexName);
      log(`Built ${task.indexName} in ${((now() - started) / 1000).toFixed(1)} s`);
    }
    for (const name of state.superseded) {
      log(`Dropping ${name}: superseded by ${task.indexName}`);
      await client.query(dropIndexStatement(name, { concurrently }));
      dropped.push(name);
    }
  }
  // Re-inspected: tasks skipped for the deadline or waiting for another session's build are still pending.
  const pending = await pendingIndexTasks(client, tasks);
  return { built, dropped, pending, complete: pending.length === 0 };
}

async function withinDeadline<T>(work: Promise<T>, budgetMs: number | undefined): Promise<T | 'timeout'> {
  if (budgetMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, budgetMs));
  });
  try {
    const outcome = await Promise.race([work, timeout]);
    // The build keeps running; its eventual error (the connection is discarded) must not go unhandled.
    if (outcome === 'timeout') work.catch(() => undefined);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` in one transaction: COMMIT on success, ROLLBACK (best effort) and rethrow on failure. */
export async function inTransaction<T>(client: SqlClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The original error matters more; a broken connection is discarded by the caller.
    }
    throw error;
  }
}

/** pg returns text[] as string[]; other drivers may return the literal `{a=1,b=2}`. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    const inner = value.replace(/^\{|\}$/g, '');
    return inner === '' ? [] : inner.split(',').map((item) => item.replace(/^"|"$/g, ''));
  }
  return [];
}

function hint(version: string): string {
  const match = /^collection\/([^/]+)\/0001_table$/.exec(version);
  return match
    ? ` (collection "${match[1]}": its table is created once; a collection's dimensions cannot change. Declare a new collection with a new name, ` +
        `re-embed into it, and remove the old one from the list: its table is retained)`
    : '';
}

function firstLine(statement: string): string {
  const line = statement.split('\n')[0];
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
