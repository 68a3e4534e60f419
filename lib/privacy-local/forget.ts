/**
 * An erasure on the local lake, statement for statement as the workflow runs it in AWS, for end-to-end
 * tests and for trying a plan by hand: find (the plan's find statement), forget (Iceberg-shaped tables: the
 * plan's DELETE; Parquet datasets: each object found rewritten without the subjects' rows, as the
 * rewrite-objects function does in S3), verify (the plan's verify statement). OPTIMIZE and VACUUM have no
 * local meaning (a DuckDB table has no data files) and are not run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { subjectPredicate, type ErasureTarget } from '../../constructs/privacy/plan';
import type { LocalLake } from '../local-lake/engine';

export interface LocalFindResult {
  readonly dataset: string;
  readonly rows: number;
  /** Object keys (relative to the zone's folder, which stands for its bucket) with their row counts. */
  readonly objects: ReadonlyArray<{ readonly bucket: string; readonly key: string; readonly rows: number }>;
  readonly partitions: ReadonlyArray<Readonly<Record<string, string | null>>>;
}

/** Runs the target's find statement; the result in the find-results manifest's terms. */
export async function findLocally(lake: LocalLake, target: ErasureTarget, batchId: string): Promise<LocalFindResult> {
  const result = await lake.query(target.findSql(batchId));
  const objects = result.map((row) => {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(row.$path));
    if (!match) throw new Error(`local erasure: "$path" ${String(row.$path)} is not an S3 URI`);
    return { bucket: match[1], key: match[2], rows: Number(row.$rows) };
  });
  const partitions = new Map<string, Record<string, string | null>>();
  for (const row of result) {
    const partition = Object.fromEntries(
      Object.entries(row)
        .filter(([name]) => name !== '$path' && name !== '$rows')
        .map(([name, value]) => [name, value === null ? null : String(value)]),
    );
    partitions.set(JSON.stringify(partition), partition);
  }
  return { dataset: target.dataset, rows: objects.reduce((sum, object) => sum + object.rows, 0), objects, partitions: [...partitions.values()] };
}

/**
 * Forgets the batch's subjects in one dataset. Iceberg-shaped: the plan's DELETE. Parquet: every object the
 * find listed is rewritten in place without the subjects' rows (same columns; DuckDB's default Parquet
 * codec). A row whose key columns are all null is kept: it belongs to nobody the batch names. Returns the
 * rows removed.
 */
export async function forgetLocally(lake: LocalLake, target: ErasureTarget, batchId: string, found: LocalFindResult): Promise<number> {
  if (target.kind === 'iceberg') {
    const before = await countRows(lake, target);
    await lake.query(target.deleteSql(batchId));
    return before - (await countRows(lake, target));
  }
  const predicate = subjectPredicate(target.spec, batchId);
  let removed = 0;
  for (const object of found.objects) {
    const file = path.join(lake.options.root, object.bucket, object.key);
    if (!fs.existsSync(file)) throw new Error(`local erasure: ${object.key} was found but is not in the lake`);
    const literal = file.replace(/'/g, "''");
    const staged = `${file}.rewrite`;
    const [{ kept }] = await lake.native(`SELECT count(*) AS kept FROM read_parquet('${literal}', hive_partitioning = false) WHERE NOT coalesce(${predicate}, false)`);
    const [{ total }] = await lake.native(`SELECT count(*) AS total FROM read_parquet('${literal}', hive_partitioning = false)`);
    removed += Number(total) - Number(kept);
    // Written beside, then renamed: a failed rewrite never leaves a half-written object in the table.
    await lake.native(`COPY (SELECT * FROM read_parquet('${literal}', hive_partitioning = false) WHERE NOT coalesce(${predicate}, false)) TO '${staged.replace(/'/g, "''")}' (FORMAT parquet)`);
    fs.renameSync(staged, file);
  }
  return removed;
}

/** Runs the verify statement: rows of the batch's subjects still found (0 after a complete forget). */
export async function verifyLocally(lake: LocalLake, target: ErasureTarget, batchId: string): Promise<number> {
  const rows = await lake.query(target.verifySql(batchId));
  return Number(rows[0]?.$rows);
}

async function countRows(lake: LocalLake, target: ErasureTarget): Promise<number> {
  const [{ total }] = await lake.query(`SELECT count(*) AS total FROM "${target.database}"."${target.table}"`);
  return Number(total);
}
