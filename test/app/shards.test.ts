import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { BASE_SHARD } from '../../constructs/datasets';
import { defaultShard } from '../../lib/placement';
import { generateDatasets } from '../support/generated-datasets';
import { REPO_ROOT } from '../support/app-context';
import { describeFinding, nagFindings } from '../support/nag';
import { resourcesOf, synthWithDatasets } from '../support/scale';

describe('shard stacks', () => {
  it('exist for no shard with the shipped datasets: every one is pinned to the base stacks', () => {
    expect(DATASETS.every((dataset) => dataset.shard === BASE_SHARD)).toBe(true);
    const { stacks, templates } = synthWithDatasets('dev', DATASETS);
    expect(stacks.shards).toEqual([]);
    expect(Object.keys(templates).sort()).toEqual(
      ['catalog', 'collector', 'embeddings', 'ingestion', 'network', 'operations', 'privacy', 'storage', 'vector'].map((layer) => `lakehouse-dev-${layer}`),
    );
  });

  it('give an unpinned dataset the logical IDs it would have in the base stacks, in its shard of every layer', () => {
    const [streamed] = generateDatasets(1);
    const shard = defaultShard(streamed);
    // The privacy stack is not sharded: its grant on the dataset's table stays there wherever the table is.
    const unsharded = (found: Map<string, string>) => new Map([...found].filter(([, stack]) => stack !== 'lakehouse-dev-privacy'));
    const inShard = unsharded(resourcesOf(synthWithDatasets('dev', [...DATASETS, streamed]).templates, streamed.name));
    const inBase = unsharded(resourcesOf(synthWithDatasets('dev', [...DATASETS, { ...streamed, shard: BASE_SHARD }]).templates, streamed.name));
    // Table, tag associations, stream, delivery stream, role, alarms, quality grant: the same IDs.
    expect(inShard.size).toBeGreaterThanOrEqual(10);
    expect([...inShard.keys()].sort()).toEqual([...inBase.keys()].sort());
    for (const [logicalId, stack] of inShard) {
      const layer = inBase.get(logicalId)!.replace('lakehouse-dev-', '');
      expect(stack, logicalId).toBe(`lakehouse-dev-${layer}-${shard}`);
    }
    expect(new Set(inShard.values())).toEqual(new Set(['catalog', 'ingestion', 'operations'].map((layer) => `lakehouse-dev-${layer}-${shard}`)));
  });

  it('keep every dataset in the same stack when others are added, removed and reordered', () => {
    const pool = generateDatasets(40);
    const before = [...DATASETS, ...pool.slice(0, 30)];
    const after = [...DATASETS, ...pool.slice(10, 40)].reverse();
    const placedBefore = synthWithDatasets('dev', before).templates;
    const placedAfter = synthWithDatasets('dev', after).templates;
    for (const dataset of pool.slice(10, 30)) {
      const was = resourcesOf(placedBefore, dataset.name);
      const is = resourcesOf(placedAfter, dataset.name);
      expect(is, dataset.name).toEqual(was);
    }
  });

  it('have no stack for a layer the shard has nothing in: an Iceberg-only shard has its table and its checks, no ingestion', () => {
    const [, , , iceberg] = generateDatasets(4);
    const { stacks, templates } = synthWithDatasets('dev', [...DATASETS, iceberg]);
    const shard = defaultShard(iceberg);
    expect(stacks.shards.map((s) => s.shard)).toEqual([shard]);
    expect(Object.keys(templates).filter((name) => name.includes(shard)).sort()).toEqual([`lakehouse-dev-catalog-${shard}`, `lakehouse-dev-operations-${shard}`]);
    expect(Object.values(templates[`lakehouse-dev-catalog-${shard}`].Resources).map((r) => r.Type)).toContain('Custom::IcebergTable');
    // Its quality checks read the contract from the layer the shard's function ships (Iceberg has no custom properties).
    expect(Object.values(templates[`lakehouse-dev-operations-${shard}`].Resources).map((r) => r.Type)).toContain('AWS::Lambda::LayerVersion');
  });

  it('raise no unacknowledged cdk-nag finding in prod (streamed, Parquet and Iceberg datasets in shards)', () => {
    const findings = nagFindings('prod', { datasets: [...DATASETS, ...generateDatasets(4)] });
    expect(findings.map(describeFinding)).toEqual([]);
  });

  it('pass cfn-lint with the repository rules in prod: catalog, ingestion and operations shards and the roll-up', () => {
    // With the metadata `cdk synth` writes into the templates that `npm run lint:cfn` lints.
    const { templates } = synthWithDatasets('prod', [...DATASETS, ...generateDatasets(4)], { cliMetadata: true });
    const shardStacks = Object.keys(templates).filter((name) => /^lakehouse-prod-(catalog|ingestion|operations)-/.test(name));
    expect(shardStacks).toContain('lakehouse-prod-operations-rollup');
    expect(shardStacks.length).toBeGreaterThanOrEqual(4);
    const dir = mkdtempSync(join(tmpdir(), 'lakehouse-shards-'));
    try {
      const files = shardStacks.map((name) => {
        const file = join(dir, `${name}.template.json`);
        writeFileSync(file, JSON.stringify(templates[name]));
        return file;
      });
      const lint = spawnSync('cfn-lint', ['--config-file', join(REPO_ROOT, '.cfnlintrc.yaml'), '--', ...files], { encoding: 'utf8' });
      expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
