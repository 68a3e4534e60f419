import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { MEASURES, PER_DATASET_COST } from '../../lib/budget';
import type { ShardedLayer } from '../../lib/naming';
import { budgetReport } from '../../scripts/budget';
import { generateDatasets } from '../support/generated-datasets';

/**
 * The per-dataset costs behind "datasets it can still take" and "move N datasets" are upper bounds of
 * what one streamed Parquet dataset with quality rules (the largest kind) adds to its shard's stacks:
 * measured here as the growth from 1 to 11 such datasets in one shard.
 */
describe('per-dataset budget costs', () => {
  const generated = generateDatasets(64);
  // With a retention, like events: the largest kind in ingestion and operations.
  const streamed = generated.filter((dataset) => dataset.ingestion === 'stream' && dataset.retentionDays);
  // In catalog the largest kind is an Iceberg table (custom resource, three optimizers, their grant).
  const iceberg = generated.filter((dataset) => dataset.format === 'iceberg');
  const probe = (kind: typeof streamed, count: number) =>
    budgetReport('prod', [...DATASETS, ...kind.slice(0, count).map((dataset) => ({ ...dataset, shard: 'probe' }))]).rows.filter((row) => row.stack.endsWith('-probe'));
  const growth = { streamed: [probe(streamed, 1), probe(streamed, 11)], iceberg: [probe(iceberg, 1), probe(iceberg, 11)] };

  it.each(['catalog', 'ingestion', 'operations'] as ShardedLayer[])('%s: every measure grows by at most its cost per dataset', (layer) => {
    const stack = `lakehouse-prod-${layer}-probe`;
    const [one, eleven] = layer === 'catalog' ? growth.iceberg : growth.streamed;
    const before = one.find((row) => row.stack === stack)!.values;
    const after = eleven.find((row) => row.stack === stack)!.values;
    for (const measure of MEASURES) {
      // The longest composite rule is split into parts of bounded length: it does not grow per dataset.
      if (measure === 'alarmRuleLength') continue;
      const perDataset = (after[measure] - before[measure]) / 10;
      expect(perDataset, `${layer} ${measure}`).toBeLessThanOrEqual(PER_DATASET_COST[layer][measure] ?? 0);
    }
    // The resource cost is tight, not a generous guess: within one resource of the measured growth.
    expect((after.resources - before.resources) / 10).toBeGreaterThan((PER_DATASET_COST[layer].resources ?? 0) - 1);
  });

  it('a streamed Parquet dataset costs the catalog no more than an Iceberg one (the bound holds for both)', () => {
    const stack = 'lakehouse-prod-catalog-probe';
    const [one, eleven] = growth.streamed;
    const before = one.find((row) => row.stack === stack)!.values;
    const after = eleven.find((row) => row.stack === stack)!.values;
    for (const measure of MEASURES) expect((after[measure] - before[measure]) / 10, measure).toBeLessThanOrEqual(PER_DATASET_COST.catalog[measure] ?? 0);
  });
});
