/**
 * What monitoring costs per dataset: resources, alarms and template bytes of the operations stack for dev
 * with N and M generated datasets (shaped like bench/resources.ts: 3 in 4 streamed Parquet, 1 in 4 Iceberg),
 * and the difference per dataset. Usage: npx tsx bench/monitoring.ts [N M]   (prints; asserts nothing)
 */
import { benchDatasets } from './fixtures/bench-datasets';
import { App } from 'aws-cdk-lib';
import { DATASETS } from '../config/datasets';
import { loadEnvironmentConfig } from '../config/load';
import type { DatasetDefinition } from '../constructs/datasets';
import { buildLakehouse } from '../lib/lakehouse-app';
import { cliContext } from '../test/support/app-context';

interface Measure {
  readonly resources: number;
  readonly alarms: number;
  readonly composites: number;
  readonly bytes: number;
}

function measure(datasets: readonly DatasetDefinition[]): Measure {
  const app = new App({
    context: { ...cliContext(), env: 'dev', '@aws-cdk/core:stackResourceLimit': 0, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  buildLakehouse(app, loadEnvironmentConfig('dev'), { compliance: false, datasets });
  const stacks = app.synth().stacks.filter((stack) => /-operations(-|$)/.test(stack.stackName));
  const resources = stacks.flatMap((stack) => Object.values(stack.template.Resources ?? {}) as Array<{ Type: string }>);
  return {
    resources: resources.length,
    alarms: resources.filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').length,
    composites: resources.filter((resource) => resource.Type === 'AWS::CloudWatch::CompositeAlarm').length,
    // Minified, as CloudFormation receives it.
    bytes: stacks.reduce((sum, stack) => sum + JSON.stringify(stack.template).length, 0),
  };
}

/** `n` datasets shaped like the shipped ones, plus the history table the data-quality checks need. */
function generated(n: number): DatasetDefinition[] {
  const history = DATASETS.find((dataset) => dataset.name === 'data_quality_results')!;
  return [history, ...benchDatasets(n, { purpose: 'monitoring benchmark', quality: true })];
}

const [small, large] = process.argv.slice(2).map(Number);
const low = small || 8;
const high = large || 48;
const a = measure(generated(low));
const b = measure(generated(high));
const per = (key: keyof Measure) => ((b[key] - a[key]) / (high - low)).toFixed(2);
console.log(`| operations stack(s) | ${low} datasets | ${high} datasets | per dataset |`);
console.log('|---|---:|---:|---:|');
for (const key of ['resources', 'alarms', 'composites', 'bytes'] as const) console.log(`| ${key} | ${a[key]} | ${b[key]} | ${per(key)} |`);
