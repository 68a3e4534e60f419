/**
 * CloudFormation resource counts per stack, for every environment and for dev with 5, 50 and 200
 * generated datasets, to see which stack approaches the 500-resource limit first and how fast.
 * Usage: npx tsx bench/resources.ts        (prints a table; asserts nothing)
 */
import { benchDatasets } from './fixtures/bench-datasets';
import { App } from 'aws-cdk-lib';
import { ENVIRONMENT_NAMES } from '../config/limits';
import { loadEnvironmentConfig } from '../config/load';
import type { DatasetDefinition } from '../constructs/datasets';
import { buildLakehouse } from '../lib/lakehouse-app';
import { cliContext } from '../test/support/app-context';

const LIMIT = 500;

function counts(environment: (typeof ENVIRONMENT_NAMES)[number], datasets?: readonly DatasetDefinition[]): Record<string, number> {
  // The limit check is off here so that counts past 500 can be measured (a real synth refuses them).
  const app = new App({
    context: { ...cliContext(), env: environment, '@aws-cdk/core:stackResourceLimit': 0 },
    builtinCloudFormationValidation: false,
  });
  buildLakehouse(app, loadEnvironmentConfig(environment), { compliance: false, datasets });
  const assembly = app.synth();
  return Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName.replace(/^[a-z0-9]+-[a-z]+-/, ''), Object.keys(stack.template.Resources ?? {}).length]),
  );
}


const rows: Array<[string, Record<string, number>]> = [];
for (const environment of ENVIRONMENT_NAMES) rows.push([environment, counts(environment)]);
for (const n of [5, 50, 200]) rows.push([`dev, ${n} generated datasets`, counts('dev', benchDatasets(n, { purpose: 'resource-count benchmark' }))]);

const stacks = [...new Set(rows.flatMap(([, row]) => Object.keys(row)))];
console.log(`| configuration | ${stacks.join(' | ')} |`);
console.log(`|---|${stacks.map(() => '---:').join('|')}|`);
for (const [label, row] of rows) {
  console.log(`| ${label} | ${stacks.map((stack) => `${row[stack] ?? 0}${(row[stack] ?? 0) > LIMIT * 0.8 ? ' ⚠' : ''}`).join(' | ')} |`);
}
const [, five] = rows.find(([label]) => label.includes(' 5 '))!;
const [, twoHundred] = rows.find(([label]) => label.includes('200'))!;
for (const stack of stacks) {
  const perDataset = (twoHundred[stack] - five[stack]) / 195;
  const headroom = perDataset > 0 ? Math.floor((LIMIT - five[stack]) / perDataset) + 5 : Infinity;
  console.log(`${stack}: ${perDataset.toFixed(2)} resources per dataset; ${Number.isFinite(headroom) ? `reaches ${LIMIT} at about ${headroom} datasets` : 'does not grow with datasets'}`);
}
