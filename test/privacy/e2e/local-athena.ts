/**
 * "Athena" for the end-to-end erasure test: the product's Athena SQL runs unchanged on the local lake's
 * DuckDB (lib/local-lake dialect mapping) over what moto's S3 holds at that moment:
 * - the raw `events` Parquet objects (mirrored before every statement, so a rewrite is seen at once);
 * - `erasure_subjects` of the privacy database, from the batch subjects files in the work bucket
 *   (JSON Lines, partition `batch_id` from the `batch_id=<id>/` folder, as the Glue table's projection);
 * - Iceberg-shaped tables as plain DuckDB tables, on which DELETE really deletes.
 * `OPTIMIZE … REWRITE DATA USING BIN_PACK WHERE p` and `VACUUM` have no DuckDB counterpart: they are
 * recorded, not run (DuckDB's DELETE already removes the rows physically from the table). OPTIMIZE's
 * predicate is still checked by counting the table's rows it selects, so a predicate on a column the
 * table lacks fails here as it would in Athena.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBTypeId, type DuckDBResultReader } from '@duckdb/node-api';
import { toDuckDb } from '../../../lib/local-lake/dialect';
import type { LocalLake } from '../../../lib/local-lake/engine';
import type { QueryOutcome } from './athena-server';
import type { LakeMirror } from './lake-mirror';

export interface LocalAthenaOptions {
  readonly lake: LocalLake;
  readonly mirror: LakeMirror;
  /** Glue database (DuckDB schema) of the privacy stack, holding `erasure_subjects`. */
  readonly privacyDatabase: string;
  /** Mirror folder of the work bucket (its `subjects/` prefix must be mirrored). */
  readonly workFolder: string;
  /** `database.table` of the tables whose `"$path"` the local lake answers (attachParquet/createTable made their companion views). */
  readonly pathTables: ReadonlySet<string>;
}

/** Statements recorded but not run, with what they would have done in Athena. */
export interface SkippedStatement {
  readonly sql: string;
  readonly kind: 'optimize' | 'vacuum';
  /** OPTIMIZE: rows its WHERE selects (the partitions it would rewrite). */
  readonly rowsSelected?: number;
}

const OPTIMIZE = /^OPTIMIZE\s+((?:"[^"]+"|[A-Za-z0-9_]+)(?:\.(?:"[^"]+"|[A-Za-z0-9_]+))*)\s+REWRITE\s+DATA\s+USING\s+BIN_PACK(?:\s+WHERE\s+([\s\S]+))?$/i;
const VACUUM = /^VACUUM\s+(?:"[^"]+"|[A-Za-z0-9_]+)(?:\.(?:"[^"]+"|[A-Za-z0-9_]+))*$/i;

export class LocalAthena {
  readonly skipped: SkippedStatement[] = [];
  private failure: { readonly matches: (sql: string) => boolean; readonly reason: string } | undefined;

  constructor(private readonly options: LocalAthenaOptions) {}

  /** The next statement `matches` accepts fails with `reason` (as Athena's StateChangeReason), without running. */
  failOnce(matches: (sql: string) => boolean, reason: string): void {
    this.failure = { matches, reason };
  }

  /** Runs one Athena statement over the bucket contents of this moment. */
  async run(sql: string): Promise<QueryOutcome> {
    const { lake, mirror } = this.options;
    if (this.failure?.matches(sql)) {
      const { reason } = this.failure;
      this.failure = undefined;
      throw new Error(reason);
    }
    await mirror.refresh();
    await this.attachSubjects();
    const statement = sql.trim();
    const verb = /^[A-Za-z]+/.exec(statement)?.[0].toLowerCase();
    if (verb === 'optimize') {
      const match = OPTIMIZE.exec(statement);
      if (!match) throw new Error(`local Athena: OPTIMIZE must read OPTIMIZE <table> REWRITE DATA USING BIN_PACK [WHERE …], got: ${statement}`);
      const counted = match[2] === undefined ? undefined : await this.count(`SELECT count(*) AS n FROM ${match[1]} WHERE ${match[2]}`);
      this.skipped.push({ sql: statement, kind: 'optimize', rowsSelected: counted });
      return { kind: 'utility', note: 'OPTIMIZE recorded, not run (no DuckDB counterpart)' };
    }
    if (verb === 'vacuum') {
      if (!VACUUM.test(statement)) throw new Error(`local Athena: VACUUM takes one table name, got: ${statement}`);
      this.skipped.push({ sql: statement, kind: 'vacuum' });
      return { kind: 'utility', note: 'VACUUM recorded, not run (no DuckDB counterpart)' };
    }
    const reader = await lake.connection.runAndReadAll(this.duckDb(statement));
    if (verb === 'delete' || verb === 'insert' || verb === 'update') return { kind: 'update', count: Number(reader.getRowsJS()[0]?.[0] ?? 0) };
    return rowsOutcome(reader, (text) => mirror.toS3(text));
  }

  private async count(athenaSql: string): Promise<number> {
    const reader = await this.options.lake.connection.runAndReadAll(this.duckDb(athenaSql));
    return Number(reader.getRowsJS()[0][0]);
  }

  private duckDb(athenaSql: string): string {
    return toDuckDb(athenaSql, { today: this.options.lake.options.today, pathTables: this.options.pathTables });
  }

  /** `erasure_subjects` over the mirrored subjects files; an empty table when there are none (read_json needs a file). */
  private async attachSubjects(): Promise<void> {
    const { lake, mirror, privacyDatabase, workFolder } = this.options;
    const table = `"${privacyDatabase}"."erasure_subjects"`;
    const folder = path.join(mirror.root, workFolder, 'subjects');
    const files = fs.existsSync(folder) ? fs.readdirSync(folder, { recursive: true }).filter((name) => String(name).endsWith('.json')) : [];
    if (files.length === 0) {
      await lake.connection.run(`CREATE OR REPLACE TABLE ${table} (subject_id VARCHAR, batch_id VARCHAR)`);
      return;
    }
    // A table, not a view: refreshed before every statement anyway, and DuckDB cannot replace one kind by the other.
    const glob = path.join(folder, 'batch_id=*', '*.json').replace(/'/g, "''");
    await lake.connection.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT subject_id, batch_id FROM read_json('${glob}', format = 'newline_delimited', columns = {'subject_id': 'VARCHAR'}, hive_partitioning = true, hive_types = {'batch_id': VARCHAR})`,
    );
  }
}

const ATHENA_TYPES: Partial<Record<DuckDBTypeId, string>> = {
  [DuckDBTypeId.VARCHAR]: 'varchar',
  [DuckDBTypeId.BIGINT]: 'bigint',
  [DuckDBTypeId.HUGEINT]: 'bigint',
  [DuckDBTypeId.INTEGER]: 'integer',
  [DuckDBTypeId.SMALLINT]: 'smallint',
  [DuckDBTypeId.DOUBLE]: 'double',
  [DuckDBTypeId.BOOLEAN]: 'boolean',
  [DuckDBTypeId.DATE]: 'date',
  [DuckDBTypeId.TIMESTAMP]: 'timestamp',
};

/** Rows rendered as Athena's GetQueryResults renders them: every value as text, null as null. */
function rowsOutcome(reader: DuckDBResultReader, mapText: (text: string) => string): QueryOutcome {
  const types = reader.columnTypes();
  const columns = reader.columnNames().map((name, index) => ({ name, type: ATHENA_TYPES[types[index].typeId] ?? types[index].toString().toLowerCase() }));
  const rows = reader.getRowsJS().map((row) =>
    row.map((value, index): string | null => {
      if (value === null || value === undefined) return null;
      if (value instanceof Date) return types[index].typeId === DuckDBTypeId.DATE ? value.toISOString().slice(0, 10) : value.toISOString().replace('T', ' ').replace('Z', '');
      if (typeof value === 'string') return mapText(value);
      if (typeof value === 'object') return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? Number(item) : item));
      return String(value);
    }),
  );
  return { kind: 'rows', columns, rows };
}
