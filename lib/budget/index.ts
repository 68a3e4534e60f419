import { CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { BASE_SHARD, type DatasetDefinition } from '../../constructs/datasets';
import { HISTORY_TABLE } from '../../constructs/data-quality/sql';
import type { LakehouseStacks } from '../lakehouse-app';
import type { ShardedLayer } from '../naming';
import { budgetProblems, BudgetExceededError, type BudgetProblem, type StackContents } from './check';
import { LIMITS } from './limits';
import { measureTemplate, type BudgetTemplate } from './measure';

export * from './check';
export * from './costs';
export * from './limits';
export * from './measure';

/** Which datasets have resources in a stack of `layer`. */
function inLayer(layer: ShardedLayer, datasets: readonly DatasetDefinition[]): string[] {
  const holds = (dataset: DatasetDefinition) =>
    layer === 'catalog' || dataset.ingestion === 'stream' || (layer === 'operations' && dataset.name !== HISTORY_TABLE);
  return datasets.filter(holds).map((dataset) => dataset.name);
}

/** What every stack of the environment holds, by stack name. */
export function stackContents(stacks: LakehouseStacks, datasets: readonly DatasetDefinition[]): Map<string, StackContents> {
  const contents = new Map<string, StackContents>();
  for (const stack of [stacks.dr, stacks.storage, stacks.network, stacks.vector, stacks.embeddings, stacks.privacy]) if (stack) contents.set(stack.stackName, { datasets: [] });
  const base = datasets.filter((dataset) => stacks.placement.get(dataset.name) === BASE_SHARD);
  const layers: Array<[ShardedLayer, Stack | undefined, string, readonly DatasetDefinition[]]> = [
    ['catalog', stacks.catalog, BASE_SHARD, base],
    ['ingestion', stacks.ingestion, BASE_SHARD, base],
    ['operations', stacks.operations, BASE_SHARD, base],
    ...stacks.shards.flatMap((shard): Array<[ShardedLayer, Stack | undefined, string, readonly DatasetDefinition[]]> => [
      ['catalog', shard.catalog, shard.shard, shard.datasets],
      ['ingestion', shard.ingestion, shard.shard, shard.datasets],
      ['operations', shard.operations, shard.shard, shard.datasets],
    ]),
  ];
  for (const [layer, stack, shard, members] of layers) if (stack) contents.set(stack.stackName, { layer, shard, datasets: inLayer(layer, members) });
  return contents;
}

/**
 * Refuses, during synthesis and before aws-cdk-lib's own 500-resource error, a stack with more resources
 * than its budget; the message names the datasets to move. The other measures need the rendered
 * template: {@link assertWithinBudgets} checks them after synthesis.
 */
export function addResourceBudget(stack: Stack, contents: StackContents): void {
  stack.node.addValidation({
    validate: () => {
      const resources = stack.node.findAll().filter((construct) => CfnResource.isCfnResource(construct) && Stack.of(construct) === stack).length;
      if (resources <= LIMITS.resources.budget) return [];
      const usage = measureTemplate({});
      return budgetProblems(stack.stackName, { ...usage, values: { ...usage.values, resources } }, contents).map((problem) => problem.message);
    },
  });
}

/** Every budget problem of a synthesized environment. */
export function assemblyBudgetProblems(assembly: CloudAssembly, contents: ReadonlyMap<string, StackContents>): BudgetProblem[] {
  return assembly.stacks.flatMap((stack) =>
    budgetProblems(stack.stackName, measureTemplate(stack.template as BudgetTemplate, stack.stackName), contents.get(stack.stackName) ?? { datasets: [] }),
  );
}

/** Throws {@link BudgetExceededError} when any synthesized stack is over a budget. */
export function assertWithinBudgets(assembly: CloudAssembly, contents: ReadonlyMap<string, StackContents>): void {
  const problems = assemblyBudgetProblems(assembly, contents);
  if (problems.length > 0) throw new BudgetExceededError(problems);
}

/** Whether a synthesis error is the resource budget's (aws-cdk-lib wraps construct validation messages). */
export function isResourceBudgetFailure(error: unknown): boolean {
  return error instanceof Error && /Validation failed/.test(error.message) && /is over its budget of resources/.test(error.message);
}
