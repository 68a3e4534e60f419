import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/schema';
import { applyCompliance } from './compliance';
import { stackName } from './naming';
import { applyEnvironmentTags } from './tagging';
import { NetworkStack } from './stacks/network-stack';
import { StorageStack } from './stacks/storage-stack';

/** The stacks of one environment. */
export interface LakehouseStacks {
  readonly storage: StorageStack;
  readonly network: NetworkStack;
}

export interface BuildOptions {
  /** Register the cdk-nag packs as validation plugins (the app always does; benchmarks may not). Default true. */
  readonly compliance?: boolean;
}

/**
 * Composes one environment's stacks from a validated config. Stacks only read from stacks created
 * before them: storage holds the keys everything else encrypts with, so it comes first.
 */
export function buildLakehouse(app: App, config: EnvironmentConfig, options: BuildOptions = {}): LakehouseStacks {
  const env = config.account ? { account: config.account, region: config.region } : undefined;
  const description = (layer: string) => `Lakehouse Blueprint ${config.project} ${config.name}: ${layer}`;

  const storage = new StorageStack(app, stackName(config.project, config.name, 'storage'), {
    env,
    config,
    description: description('keys and data-lake buckets (stateful)'),
  });
  const network = new NetworkStack(app, stackName(config.project, config.name, 'network'), {
    env,
    config,
    logsKey: storage.logsKey,
    description: description('VPC, flow logs and endpoints'),
  });

  applyEnvironmentTags(app, config);
  if (options.compliance ?? true) applyCompliance(app);
  return { storage, network };
}
