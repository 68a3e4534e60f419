import { App } from 'aws-cdk-lib';
import { loadEnvironmentConfig } from '../../config/load';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { EnvironmentName } from '../../config/limits';
import type { EnvironmentConfig } from '../../config/schema';
import type { DatasetDefinition } from '../../constructs/datasets';
import { buildLakehouse, type LakehouseStacks } from '../../lib/lakehouse-app';
import { cliContext } from './app-context';
import type { Template } from './synth';

export interface ScaleSynthOptions {
  /** Register the cdk-nag packs. @default false: these syntheses test placement and budgets, not findings */
  readonly compliance?: boolean;
  /**
   * Write what `cdk synth` adds to every template: `aws:cdk:path` metadata and the `AWS::CDK::Metadata`
   * resource. cfn-lint reads the latter: it skips some informational rules (I1022, Fn::Join with an empty
   * delimiter) on CDK-generated templates. @default false
   */
  readonly cliMetadata?: boolean;
}

/**
 * Synthesizes `environment` with `datasets` instead of the shipped ones, built-in validation off (speed),
 * returning every template by stack name.
 */
export function synthWithDatasets(
  environment: EnvironmentName | EnvironmentConfig,
  datasets: readonly DatasetDefinition[],
  options: ScaleSynthOptions = {},
): { stacks: LakehouseStacks; assembly: CloudAssembly; templates: Record<string, Template> } {
  const config = typeof environment === 'string' ? loadEnvironmentConfig(environment) : environment;
  const context = { ...cliContext(), env: config.name, ...(options.cliMetadata ? { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true } : {}) };
  const app = new App({ context, builtinCloudFormationValidation: false });
  const stacks = buildLakehouse(app, config, { compliance: options.compliance ?? false, datasets });
  const assembly = app.synth();
  return { stacks, assembly, templates: Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.template as Template])) };
}

/**
 * Where each of a dataset's resources is: logical ID → stack name, for IDs that mention the dataset
 * (construct IDs spell `gen_0001` as `Gen0001` or `gen0001`).
 */
export function resourcesOf(templates: Record<string, Template>, datasetName: string): Map<string, string> {
  const needle = datasetName.replace(/_/g, '').toLowerCase();
  const found = new Map<string, string>();
  for (const [stack, template] of Object.entries(templates)) {
    for (const logicalId of Object.keys(template.Resources)) if (logicalId.toLowerCase().includes(needle)) found.set(logicalId, stack);
  }
  return found;
}
