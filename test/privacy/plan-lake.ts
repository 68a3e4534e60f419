/**
 * A local lake for the erasure plan's known-answer tests: the plan of the shipped contracts (plus any test
 * datasets) over DuckDB, the subjects table read from JSON Lines as the privacy stack's Glue table reads
 * them, and helpers to read results the way the find-results function does.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DatasetDefinition } from '../../constructs/datasets';
import { erasurePlan, type ErasureTarget } from '../../constructs/privacy/plan';
import { LocalLake, type Row } from '../../lib/local-lake/engine';
import { attachSubjects } from '../../lib/privacy-local/subjects';

export const DATABASES = { raw: 'lake_raw', curated: 'lake_curated' } as const;
export const PRIVACY_DATABASE = 'lake_privacy';
/** `current_date` of every statement. */
export const TODAY = '2026-03-01';

export async function openPlanLake(datasets: readonly DatasetDefinition[]): Promise<{ lake: LocalLake; targets: Map<string, ErasureTarget> }> {
  const lake = await LocalLake.open({ root: fs.mkdtempSync(path.join(os.tmpdir(), 'erasure-plan-')), databases: DATABASES, today: TODAY });
  await attachSubjects(lake, PRIVACY_DATABASE);
  const plan = erasurePlan(datasets, { databases: DATABASES, buckets: { raw: 'raw', curated: 'curated' }, privacyDatabase: PRIVACY_DATABASE });
  return { lake, targets: new Map(plan.map((target) => [target.dataset, target])) };
}

export function closePlanLake(lake: LocalLake): void {
  lake.close();
  fs.rmSync(lake.options.root, { recursive: true, force: true });
}

/** A find result as `{ path, rows, partition }` per row, partition columns keyed by name. */
export function found(rows: readonly Row[]): Array<{ path: string; rows: number; partition: Record<string, unknown> }> {
  return rows.map((row) => {
    const { $path, $rows, ...partition } = row;
    return { path: String($path), rows: Number($rows), partition };
  });
}

/** The number the verify statement returns. */
export async function remaining(lake: LocalLake, sql: string): Promise<number> {
  const rows = await lake.query(sql);
  if (rows.length !== 1) throw new Error(`verify returned ${rows.length} rows, not one`);
  return Number(rows[0].$rows);
}
