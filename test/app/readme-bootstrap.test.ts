/**
 * First-deploy pin: every account and region a stack deploys to must be bootstrapped,
 * the DR region included; the README's deploy steps say so, with the shipped prod config's DR region.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import { REPO_ROOT } from '../support/app-context';

describe('README: deploying an environment', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Deploying an environment')[1]?.split('\n## ')[0] ?? '';

  it('the bootstrap step names the DR region, generically and with the prod config\'s own account and DR region', () => {
    const prod = loadEnvironmentConfig('prod');
    const dr = prod.backup.disasterRecovery;
    expect(dr).toBeDefined();
    expect(section).toContain('npx cdk bootstrap aws://ACCOUNT/DR_REGION');
    expect(section).toContain(`npx cdk bootstrap aws://${dr!.account ?? prod.account}/${dr!.region}`);
  });
});
