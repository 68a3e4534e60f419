import { seededRandom } from '../../producer/sample-events';
import { describe, expect, it } from 'vitest';
import { BASE_SHARD, DatasetValidationError, type DatasetDefinition } from '../../constructs/datasets';
import { defaultShard, fnv1a32, placeDatasets, SHARD_BUCKETS_PER_DOMAIN } from '../../lib/placement';
import { generateDatasets } from '../support/generated-datasets';

/**
 * A dataset's shard depends on the dataset alone: inserting, removing or reordering other datasets never
 * moves it. Random lists, seeded; the seed is printed so that a failure can be replayed (PROPERTY_SEED=...).
 */
const SEED = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
const ROUNDS = 200;

// The producer's mulberry32: a seeded generator, so a failing property prints a reproducible seed.
const random = seededRandom;

const shardByName = (datasets: readonly DatasetDefinition[]) =>
  new Map([...placeDatasets(datasets)].flatMap(([shard, members]) => members.map((dataset): [string, string] => [dataset.name, shard])));

describe(`placement (PROPERTY_SEED=${SEED})`, () => {
  it('keeps every dataset in its shard when others are inserted, removed and reordered', () => {
    const next = random(SEED);
    const pool = generateDatasets(600, { domains: ['product_analytics', 'knowledge', 'operations', 'billing'] });
    // A few pinned ones, to the base and to a shard of the user's choosing.
    const pinned = pool.map((dataset, index) => (index % 37 === 0 ? { ...dataset, shard: index % 2 === 0 ? BASE_SHARD : 'hand-picked' } : dataset));
    const pick = (size: number) => pinned.filter(() => next() < size / pinned.length);
    for (let round = 0; round < ROUNDS; round++) {
      const before = pick(1 + Math.floor(next() * 120));
      const kept = before.filter(() => next() < 0.7);
      const inserted = pick(Math.floor(next() * 60)).filter((dataset) => !before.includes(dataset));
      const after = [...kept, ...inserted].sort(() => next() - 0.5);
      const placedBefore = shardByName(before);
      const placedAfter = shardByName(after);
      for (const dataset of kept) expect(placedAfter.get(dataset.name), `${dataset.name} in round ${round}`).toBe(placedBefore.get(dataset.name));
    }
  });

  it('places an unpinned dataset by its domain and a hash of its name, and a pinned one where it is pinned', () => {
    const [dataset] = generateDatasets(1, { domains: ['product_analytics'] });
    const bucket = fnv1a32(dataset.name) % SHARD_BUCKETS_PER_DOMAIN;
    expect(defaultShard(dataset)).toBe(`product-analytics-${String(bucket).padStart(2, '0')}`);
    expect([...placeDatasets([{ ...dataset, shard: 'mine' }]).keys()]).toEqual([BASE_SHARD, 'mine']);
  });

  it('hashes with FNV-1a 32 (reference values), so placement never depends on the platform', () => {
    // Published FNV-1a 32-bit test vectors.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('spreads 1,000 names over the buckets of a domain without a crowded one', () => {
    const counts = new Map<string, number>();
    for (const dataset of generateDatasets(1000, { domains: ['product_analytics'] })) counts.set(defaultShard(dataset), (counts.get(defaultShard(dataset)) ?? 0) + 1);
    expect(counts.size).toBe(SHARD_BUCKETS_PER_DOMAIN);
    // 62.5 on average; a crowded bucket would fill its stacks twice as fast as the others.
    expect(Math.max(...counts.values())).toBeLessThan(1.5 * (1000 / SHARD_BUCKETS_PER_DOMAIN));
  });

  it.each([
    ['Base', '"Base" is not a valid shard name'],
    ['x--y', '"x--y" is not a valid shard name'],
    ['x-', '"x-" is not a valid shard name'],
    ['9x', '"9x" is not a valid shard name'],
    ['', '"" is 0 characters long'],
    ['a'.repeat(41), `"${'a'.repeat(41)}" is 41 characters long`],
    [7, 'must be a string, got 7'],
  ])('refuses shard %j with a message naming the dataset and the fix', (shard, problem) => {
    const [dataset] = generateDatasets(1);
    const attempt = () => placeDatasets([{ ...dataset, shard } as unknown as DatasetDefinition]);
    expect(attempt).toThrow(DatasetValidationError);
    expect(attempt).toThrow('Invalid configuration in dataset "gen_0000" (nothing was synthesized):');
    expect(attempt).toThrow(
      `  - shard: got ${JSON.stringify(shard)}; ${problem}. Fix: use "base" or 1-40 lowercase letters, digits and single hyphens starting with a letter (for example "product-analytics-03"), or leave it out`,
    );
  });
});
