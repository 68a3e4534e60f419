import { BASE_SHARD, DatasetValidationError, shardProblems, type DatasetDefinition } from '../constructs/datasets';

/**
 * Where each dataset's per-dataset resources live (README.md, "Sharding: hundreds of datasets"): every layer that grows with
 * datasets is a family of stacks, `<project>-<env>-<layer>` (the base shard, today's stack) and
 * `<project>-<env>-<layer>-<shard>`. A dataset's shard is a pure function of the dataset alone, so
 * adding, removing or reordering other datasets can never move it (a move would replace its retained
 * table and stream):
 *
 *   shard = dataset.shard ?? `<domain>-<bucket>`, bucket = FNV-1a 32 of the name mod SHARD_BUCKETS_PER_DOMAIN
 */

/**
 * Buckets per domain. Changing it moves most datasets that are not pinned with `shard`, so it is a
 * constant, not a setting: 16 buckets of about 25 datasets each keep every shard stack far inside its
 * budget up to about 400 datasets per domain (docs/performance.md).
 */
export const SHARD_BUCKETS_PER_DOMAIN = 16;

/** `<project>-<env>-operations-rollup` holds the environment roll-up, so no shard may be called that. */
export const ROLLUP_STACK_SUFFIX = 'rollup';

/** FNV-1a, 32 bits: tiny, stable across Node versions and platforms, well spread for short names. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard a dataset goes to when its contract does not pin one: `<domain>-<bucket>`, bucket two digits. */
export function defaultShard(dataset: Pick<DatasetDefinition, 'name' | 'domain'>): string {
  const bucket = fnv1a32(dataset.name) % SHARD_BUCKETS_PER_DOMAIN;
  return `${dataset.domain.replace(/_/g, '-')}-${String(bucket).padStart(2, '0')}`;
}

/** The dataset's shard: its pinned `shard`, or the default. */
export function shardOf(dataset: DatasetDefinition): string {
  return dataset.shard ?? defaultShard(dataset);
}

/**
 * Datasets grouped by shard: the base shard first (always present, possibly empty), then the others in
 * name order (so stack creation order, and nothing else, is deterministic). Within a shard, datasets keep
 * their declaration order, as the base stacks always have. Refuses invalid `shard` values, listing all.
 */
export function placeDatasets(datasets: readonly DatasetDefinition[]): Map<string, DatasetDefinition[]> {
  const problems = datasets.flatMap(shardProblems);
  for (const dataset of datasets.filter((d) => d.shard === ROLLUP_STACK_SUFFIX)) {
    problems.push({
      dataset: dataset.name,
      field: 'shard',
      problem: `"${ROLLUP_STACK_SUFFIX}" is the name of the operations roll-up stack`,
      fix: 'choose another shard name',
    });
  }
  if (problems.length > 0) {
    // Each problem shows the value as declared.
    throw new DatasetValidationError(problems, (problem) => ({
      source: `dataset "${problem.dataset}"`,
      declaration: datasets.find((dataset) => dataset.name === problem.dataset),
    }));
  }
  const shards = new Map<string, DatasetDefinition[]>();
  for (const dataset of datasets) {
    const shard = shardOf(dataset);
    shards.set(shard, [...(shards.get(shard) ?? []), dataset]);
  }
  const others = [...shards.keys()].filter((shard) => shard !== BASE_SHARD).sort();
  return new Map([[BASE_SHARD, shards.get(BASE_SHARD) ?? []], ...others.map((shard): [string, DatasetDefinition[]] => [shard, shards.get(shard)!])]);
}
