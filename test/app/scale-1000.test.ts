import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import { assemblyBudgetProblems, LIMITS, measureTemplate } from '../../lib/budget';
import { generateDatasets } from '../support/generated-datasets';
import { synthWithDatasets } from '../support/scale';

/**
 * A prod app with 1,000 generated datasets on top of the shipped ones (three in four streamed Parquet
 * datasets like events, one in four Iceberg tables like the metrics tables, over the three shipped
 * domains) synthesizes with every stack inside every budget. cdk-nag and the built-in validation are
 * off: this is a test of placement and budgets (the shard stacks' findings are covered in shards.test.ts).
 *
 * With prod's own personas: their Glue read is one `table/<database>/*` per zone, so their policies do
 * not grow with the datasets (budget.test.ts measures that).
 */
describe('1,000 datasets', () => {
  // The privacy stack is not sharded yet (docs/privacy.md, "Limits"): 1,000 subject datasets pass its budgets; off here.
  const config = { ...loadEnvironmentConfig('prod'), privacy: { ...loadEnvironmentConfig('prod').privacy, enabled: false } };
  const generated = generateDatasets(1000);
  const { stacks, assembly, templates } = synthWithDatasets(config, [...DATASETS, ...generated]);

  it('synthesizes with every stack inside every budget', () => {
    expect(assemblyBudgetProblems(assembly, stacks.contents).map((problem) => problem.message)).toEqual([]);
    const largest = Math.max(...Object.entries(templates).map(([name, template]) => measureTemplate(template, name).values.resources));
    // The check above is not vacuous: the fullest stacks are well past what one stack held before sharding.
    expect(largest).toBeGreaterThan(LIMITS.resources.budget / 3);
  });

  it('catalogs every dataset once, in the stack of its shard', () => {
    const tables = Object.entries(templates).flatMap(([stack, template]) =>
      Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::Glue::Table' || resource.Type === 'Custom::IcebergTable')
        .map((resource) => ({
          stack,
          // Iceberg specs are JSON joined with tokens (the bucket name): find the table name in the literal parts.
          name: (resource.Properties!.TableInput?.Name ?? /\\"table\\":\\"([a-z0-9_]+)\\"/.exec(JSON.stringify(resource.Properties!.Spec))?.[1]) as string,
        })),
    );
    expect(tables.length).toBe(DATASETS.length + generated.length);
    for (const { stack, name } of tables) {
      const shard = stacks.placement.get(name)!;
      expect(stack, name).toBe(shard === 'base' ? 'lakehouse-prod-catalog' : `lakehouse-prod-catalog-${shard}`);
    }
  });

  it('spreads the datasets over shard stacks of every sharded layer and keeps the base stacks as they were', () => {
    expect(stacks.shards.length).toBe(48);
    expect(stacks.shards.every((shard) => shard.ingestion && shard.operations)).toBe(true);
    for (const layer of ['catalog', 'ingestion', 'operations']) expect(templates[`lakehouse-prod-${layer}`], layer).toBeDefined();
  });
});
