import { defaultShard } from '../../lib/placement';
import { App } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { loadEnvironmentConfig } from '../../config/load';
import { validateDatasets, type DatasetDefinition } from '../../constructs/datasets';
import { buildLakehouse } from '../../lib/lakehouse-app';
import { cliContext, REPO_ROOT } from '../support/app-context';

/**
 * `npm run dataset:new` end to end, in a scratch copy of the files it reads and writes (never the real
 * config): the command as npm runs it, then the written dataset through the real validation and a synth.
 */
let scratch: string;

function runScaffold(args: readonly string[]) {
  return spawnSync(join(scratch, 'node_modules', '.bin', 'tsx'), [join('scripts', 'dataset-new.ts'), ...args], {
    cwd: scratch,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: scratch },
  });
}

beforeAll(() => {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  scratch = mkdtempSync(join(REPO_ROOT, '.tmp', 'dataset-new-'));
  // lib: the generated docs read the jobs' static lineage (lib/static-lineage.ts).
  for (const path of ['config', 'constructs', 'lib', 'scripts', 'docs/data-dictionary.md', 'docs/lineage.md', 'package.json', 'tsconfig.json']) {
    cpSync(join(REPO_ROOT, path), join(scratch, path), { recursive: true });
  }
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(scratch, 'node_modules'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run dataset:new', () => {
  let run: ReturnType<typeof runScaffold>;
  beforeAll(() => {
    run = runScaffold(['page_views', '--domain', 'product_analytics']);
  });

  it('exits 0 and prints the remaining steps', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Created config/datasets/page-views.ts');
    for (const step of ['npm run docs:catalog', 'npm run docs:lineage', 'npx cdk synth', 'npm run snapshots:update', 'git add', 'docs/adding-a-dataset.md']) {
      expect(run.stdout).toContain(step);
    }
  });

  it('writes the dataset file and registers it in config/datasets/index.ts', () => {
    expect(existsSync(join(scratch, 'config', 'datasets', 'page-views.ts'))).toBe(true);
    const index = readFileSync(join(scratch, 'config', 'datasets', 'index.ts'), 'utf8');
    expect(index).toContain("import { pageViews } from './page-views';");
    expect(index).toMatch(/\{ file: 'config\/datasets\/page-views.ts', datasets: \[pageViews\] \},\n\];/);
  });

  it('regenerates the data dictionary with the new dataset', () => {
    const dictionary = readFileSync(join(scratch, 'docs', 'data-dictionary.md'), 'utf8');
    expect(dictionary).toContain('## `page_views`');
    expect(dictionary).toContain('lakehouse_prod_raw.page_views');
  });

  it('writes a dataset that passes the real validation in every environment and synthesizes', async () => {
    const { DATASETS } = (await import(join(scratch, 'config', 'datasets', 'index.ts'))) as { DATASETS: readonly DatasetDefinition[] };
    expect(DATASETS.map((dataset) => dataset.name)).toContain('page_views');
    for (const name of ENVIRONMENT_NAMES) {
      const config = loadEnvironmentConfig(name);
      expect(() => validateDatasets(DATASETS, { zones: config.storage.zones.map((zone) => zone.name), domains: config.catalog.domains })).not.toThrow();
    }
    // dev, as `cdk synth` builds it (cdk-nag packs on): a finding on the new dataset's resources would throw here.
    const app = new App({ context: { ...cliContext(), env: 'dev' }, outdir: mkdtempSync(join(scratch, 'cdk.out-')), builtinCloudFormationValidation: false });
    buildLakehouse(app, loadEnvironmentConfig('dev'), { datasets: DATASETS });
    const assembly = app.synth();
    // A new dataset lands in the shard stacks of its domain (lib/placement.ts), not in the base stacks.
    const shard = defaultShard({ name: 'page_views', domain: 'product_analytics' });
    const template = (stack: string) => JSON.stringify(assembly.getStackByName(`lakehouse-dev-${stack}-${shard}`).template);
    expect(template('catalog')).toContain('"Name":"page_views"');
    expect(template('ingestion')).toContain('lakehouse-dev-page_views');
  });

  it('refuses an existing name with one line on stderr, no stack trace, exit 1, and writes nothing', () => {
    const before = readFileSync(join(scratch, 'config', 'datasets', 'index.ts'), 'utf8');
    const refused = runScaffold(['page_views']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toEqual(['dataset:new: dataset "page_views" already exists (config/datasets/); choose another name']);
    expect(readFileSync(join(scratch, 'config', 'datasets', 'index.ts'), 'utf8')).toBe(before);
  });

  it('prints its usage with --help', () => {
    const help = runScaffold(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run dataset:new -- <name> \[--domain d\]/);
  });

  it('refuses a missing name with the usage line', () => {
    const refused = runScaffold([]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^dataset:new: give exactly one dataset name \(usage: npm run dataset:new -- <name>/);
  });
});
