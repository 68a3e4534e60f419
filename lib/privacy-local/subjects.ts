/**
 * The erasure subjects table in the local lake: JSON Lines files laid out as the claim step writes them in
 * the work bucket (`subjects/batch_id=<batchId>/subjects.json`, one `{"subject_id":"…"}` per line), read
 * with DuckDB's read_json and the partition `batch_id` from the path, as the Glue table (JsonSerDe,
 * projection `injected` on batch_id) reads them in Athena.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SUBJECTS_TABLE } from '../../constructs/privacy/plan';
import { checkBatchId } from '../../constructs/privacy/sql-text';
import type { LocalLake } from '../local-lake/engine';

/** The folder standing for the work bucket, under the lake's root. */
export const WORK_ZONE = 'work';

/** Where the batch's subjects file is, relative to the work bucket. */
export function subjectsKey(batchId: string): string {
  return `subjects/batch_id=${checkBatchId(batchId)}/subjects.json`;
}

/** Writes the batch's subjects file (the claim step's output) into the lake's work folder. */
export function writeSubjects(lake: LocalLake, batchId: string, subjectIds: readonly string[]): string {
  const file = path.join(lake.options.root, WORK_ZONE, subjectsKey(batchId));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, subjectIds.map((id) => `${JSON.stringify({ subject_id: id })}\n`).join(''));
  return file;
}

/**
 * The view `<database>.erasure_subjects` over every batch's subjects file (columns `subject_id`,
 * `batch_id`). Files written later are read by the next query: the view globs at query time.
 */
export async function attachSubjects(lake: LocalLake, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`local lake: privacy database "${database}" is not a snake_case Glue name`);
  const folder = path.join(lake.options.root, WORK_ZONE, 'subjects');
  fs.mkdirSync(folder, { recursive: true });
  // A placeholder batch keeps the glob non-empty, so the view binds before any batch is written.
  const placeholder = path.join(folder, 'batch_id=_none', 'subjects.json');
  fs.mkdirSync(path.dirname(placeholder), { recursive: true });
  if (!fs.existsSync(placeholder)) fs.writeFileSync(placeholder, '');
  const glob = path.join(folder, 'batch_id=*', 'subjects.json').replace(/'/g, "''");
  await lake.native(`CREATE SCHEMA IF NOT EXISTS "${database}"`);
  await lake.native(
    `CREATE OR REPLACE VIEW "${database}"."${SUBJECTS_TABLE}" AS SELECT subject_id, batch_id FROM read_json('${glob}', format = 'newline_delimited', columns = {subject_id: 'VARCHAR'}, hive_partitioning = true, hive_types = {batch_id: VARCHAR})`,
  );
}
