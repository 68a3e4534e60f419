import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import type { EnvironmentConfig } from '../../config/schema';
import { contextProblems } from '../../lib/input-validation';
import { cliContext } from '../support/app-context';

/** Offline synthesis of an environment with an account and region needs its AZs in cdk.context.json. */
describe('the availability-zone context is checked before CDK would look it up', () => {
  const prod = loadEnvironmentConfig('prod');
  const withContext = (context: Record<string, unknown>) => new App({ context });

  it('passes for every shipped environment with the committed cdk.context.json', () => {
    for (const name of ['dev', 'staging', 'prod']) expect(contextProblems(withContext(cliContext()), loadEnvironmentConfig(name)), name).toEqual([]);
  });

  it('names the missing key and both fixes when the region has no entry', () => {
    const moved: EnvironmentConfig = { ...prod, region: 'ap-southeast-2' };
    expect(contextProblems(withContext(cliContext()), moved)).toEqual([
      {
        source: 'cdk.context.json',
        field: '"availability-zones:account=222222222222:region=ap-southeast-2"',
        value: '(missing)',
        allowed:
          'config/environments/prod.ts names account 222222222222 in ap-southeast-2, whose availability zones synthesis needs offline: ' +
          'add "availability-zones:account=222222222222:region=ap-southeast-2": ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"] (the zone names of that account), ' +
          'or run `npx cdk synth -c env=prod` once with credentials for that account so the CLI records them',
      },
    ]);
  });

  it('refuses more AZs than the context lists, which the VPC would silently drop', () => {
    const key = 'availability-zones:account=222222222222:region=eu-west-1';
    expect(contextProblems(withContext({ [key]: ['eu-west-1a', 'eu-west-1b'] }), prod)).toEqual([
      {
        source: 'config/environments/prod.ts',
        field: 'network.maxAzs',
        value: '3',
        allowed: 'must be at most 2: cdk.context.json lists 2 availability zones for account 222222222222 in eu-west-1 (eu-west-1a, eu-west-1b)',
      },
    ]);
  });
});
