/**
 * One erasure batch on the local lake, dataset after dataset as the workflow runs it: write the batch's
 * subjects file, then per plan target find → forget (only when something was found) → verify. For end-to-end
 * tests and for trying a plan by hand; statement by statement it is forget.ts.
 */
import type { ErasureTarget } from '../../constructs/privacy/plan';
import type { LocalLake } from '../local-lake/engine';
import { findLocally, forgetLocally, verifyLocally, type LocalFindResult } from './forget';
import { writeSubjects } from './subjects';

export interface LocalErasureResult {
  readonly dataset: string;
  readonly kind: ErasureTarget['kind'];
  /** What the find statement returned (the manifest's content). */
  readonly found: LocalFindResult;
  /** Rows the forget removed (0 when nothing was found: the forget is skipped, as in the workflow). */
  readonly removed: number;
  /** What the verify statement counted afterwards: 0 for a complete erasure. */
  readonly remaining: number;
}

/**
 * Erases `subjectIds` from every target of the plan on the local lake (its subjects table attached with
 * attachSubjects). Throws when a verify counts rows left, naming the dataset and the count only.
 */
export async function eraseLocally(lake: LocalLake, plan: readonly ErasureTarget[], batchId: string, subjectIds: readonly string[]): Promise<LocalErasureResult[]> {
  writeSubjects(lake, batchId, subjectIds);
  const results: LocalErasureResult[] = [];
  for (const target of plan) {
    const found = await findLocally(lake, target, batchId);
    const removed = found.rows > 0 ? await forgetLocally(lake, target, batchId, found) : 0;
    const remaining = await verifyLocally(lake, target, batchId);
    if (remaining !== 0) throw new Error(`local erasure of batch ${batchId}: ${remaining} row(s) of ${target.dataset} still found after the forget`);
    results.push({ dataset: target.dataset, kind: target.kind, found, removed, remaining });
  }
  return results;
}
