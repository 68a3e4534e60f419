import type { DatasetDefinition } from './model';
import type { DatasetProblem } from './validation';

/** The shard of each layer's first stack, which keeps today's stack name and logical IDs. */
export const BASE_SHARD = 'base';
/** Longest `shard` value: it becomes part of stack and dashboard names. */
export const MAX_SHARD_LENGTH = 40;
// Stack names allow letters, digits and hyphens; one lowercase form keeps names unambiguous.
export const SHARD_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/**
 * Problems with a dataset's `shard` value (empty when it is absent or valid). Checked at run time:
 * contracts are TypeScript objects, but `cdk synth` does not type-check them.
 */
export function shardProblems(dataset: DatasetDefinition): DatasetProblem[] {
  const shard: unknown = (dataset as { shard?: unknown }).shard;
  if (shard === undefined) return [];
  const report = (problem: string): DatasetProblem[] => [
    {
      dataset: String(dataset.name),
      field: 'shard',
      problem,
      fix: `use "${BASE_SHARD}" or 1-${MAX_SHARD_LENGTH} lowercase letters, digits and single hyphens starting with a letter (for example "product-analytics-03"), or leave it out`,
    },
  ];
  if (typeof shard !== 'string') return report(`must be a string, got ${JSON.stringify(shard) ?? typeof shard}`);
  if (shard.length === 0 || shard.length > MAX_SHARD_LENGTH) return report(`"${shard}" is ${shard.length} characters long`);
  if (!SHARD_PATTERN.test(shard)) return report(`"${shard}" is not a valid shard name`);
  return [];
}
