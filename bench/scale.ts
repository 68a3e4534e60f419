/**
 * How synthesis scales with datasets: prod with 10, 100, 500 and 1,000 generated datasets (on top of the
 * shipped ones) in one run, each synthesized in process as `cdk synth` builds it (placement, shard stacks,
 * resource budget during synthesis, the other budgets after it) with cdk-nag and the built-in
 * CloudFormation validation off. Prints synth time, stacks, and resources and template bytes per stack
 * (largest, and mean per sharded layer), then t(1000)/t(100), which should stay near-linear (<= 12).
 * Usage: npm run bench:scale        (prints numbers; asserts nothing)
 */
import { App } from 'aws-cdk-lib';
import { DATASETS } from '../config/datasets';
import { loadEnvironmentConfig } from '../config/load';
import { assertWithinBudgets, measureTemplate, type BudgetTemplate } from '../lib/budget';
import { buildLakehouse } from '../lib/lakehouse-app';
import { cliContext } from '../test/support/app-context';
import { generateDatasets } from '../test/support/generated-datasets';

const SIZES = [10, 100, 500, 1000];
const config = loadEnvironmentConfig('prod');

interface Result {
  readonly datasets: number;
  readonly seconds: number;
  readonly stacks: number;
  readonly maxResources: [string, number];
  readonly maxBytes: [string, number];
  readonly meanByLayer: Record<string, { resources: number; bytes: number; stacks: number }>;
}

function measure(count: number): Result {
  const datasets = [...DATASETS, ...generateDatasets(count)];
  const started = process.hrtime.bigint();
  const app = new App({ context: { ...cliContext(), env: config.name }, builtinCloudFormationValidation: false });
  const stacks = buildLakehouse(app, config, { compliance: false, datasets });
  const assembly = app.synth();
  assertWithinBudgets(assembly, stacks.contents);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let maxResources: [string, number] = ['', 0];
  let maxBytes: [string, number] = ['', 0];
  const layers: Record<string, { resources: number; bytes: number; stacks: number }> = {};
  for (const stack of assembly.stacks) {
    const { values } = measureTemplate(stack.template as BudgetTemplate, stack.stackName);
    if (values.resources > maxResources[1]) maxResources = [stack.stackName, values.resources];
    if (values.templateBytes > maxBytes[1]) maxBytes = [stack.stackName, values.templateBytes];
    const layer = /-(catalog|ingestion|operations)-/.exec(stack.stackName)?.[1];
    if (!layer) continue;
    const entry = (layers[`${layer} shards`] ??= { resources: 0, bytes: 0, stacks: 0 });
    entry.resources += values.resources;
    entry.bytes += values.templateBytes;
    entry.stacks += 1;
  }
  return { datasets: count, seconds, stacks: assembly.stacks.length, maxResources, maxBytes, meanByLayer: layers };
}

// One warm-up synthesis, so that module loading is not billed to the first size.
measure(1);
const results = SIZES.map(measure);
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
console.log('| generated datasets | synth (s) | stacks | most resources in a stack | largest template | mean per catalog / ingestion / operations shard (resources, bytes) |');
console.log('|---:|---:|---:|---|---|---|');
for (const r of results) {
  const mean = ['catalog', 'ingestion', 'operations']
    .map((layer) => r.meanByLayer[`${layer} shards`])
    .map((entry) => (entry ? `${Math.round(entry.resources / entry.stacks)}, ${kb(entry.bytes / entry.stacks)}` : '-'))
    .join(' / ');
  console.log(`| ${r.datasets} | ${r.seconds.toFixed(1)} | ${r.stacks} | ${r.maxResources[1]} (${r.maxResources[0]}) | ${kb(r.maxBytes[1])} (${r.maxBytes[0]}) | ${mean} |`);
}
const t = (count: number) => results.find((r) => r.datasets === count)!.seconds;
console.log(`\nt(1000)/t(100) = ${(t(1000) / t(100)).toFixed(2)} (near-linear: <= 12); t(1000)/t(10) = ${(t(1000) / t(10)).toFixed(2)}`);
