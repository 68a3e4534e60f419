/**
 * Scaffolds a dataset: writes config/datasets/<name-with-hyphens>.ts (valid as written, with example
 * columns to replace), registers it in config/datasets/index.ts, regenerates docs/data-dictionary.md and
 * prints what is left to do. Walkthrough: docs/adding-a-dataset.md.
 * Usage: npm run dataset:new -- <name> [--domain d] [--zone z] [--format parquet|iceberg] [--ingestion stream|batch|none]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATASETS } from '../config/datasets';
import { ENVIRONMENT_NAMES } from '../config/limits';
import { loadEnvironmentConfig } from '../config/load';
import type { IngestionMode, StorageFormat } from '../constructs/datasets';
import { runCommand } from './command';
import { planDataset, registerDataset, ScaffoldError, type ScaffoldContext } from './dataset-scaffold';

const USAGE = 'usage: npm run dataset:new -- <name> [--domain d] [--zone z] [--format parquet|iceberg] [--ingestion stream|batch|none]';

/** Zones and domains that every environment has: every environment catalogs every dataset. */
export function scaffoldContext(root: string): ScaffoldContext {
  const configs = ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name));
  const common = (lists: string[][]) => lists.reduce((kept, list) => kept.filter((item) => list.includes(item)));
  return {
    zones: common(configs.map((config) => config.storage.zones.map((zone) => zone.name))),
    domains: common(configs.map((config) => [...config.catalog.domains])),
    existingNames: DATASETS.map((dataset) => dataset.name),
    existingFiles: readdirSync(join(root, 'config', 'datasets')),
  };
}

function parse(argv: readonly string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { domain: { type: 'string' }, zone: { type: 'string' }, format: { type: 'string' }, ingestion: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new ScaffoldError(`give exactly one dataset name (${USAGE})`);
    return {
      name: positionals[0],
      domain: values.domain,
      zone: values.zone,
      format: values.format as StorageFormat | undefined,
      ingestion: values.ingestion as IngestionMode | undefined,
    };
  } catch (error) {
    if (error instanceof ScaffoldError) throw error;
    throw new ScaffoldError(`${error instanceof Error ? error.message : String(error)} (${USAGE})`);
  }
}

/** Regenerates the data dictionary and the lineage page in fresh processes, which read the index just written. */
function regenerateDictionary(root: string): void {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  for (const [script, command, what] of [['data-dictionary.ts', 'docs:catalog', 'the data dictionary'], ['lineage-doc.ts', 'docs:lineage', 'docs/lineage.md']] as const) {
    const result = spawnSync(tsx, [join('scripts', script), '--write'], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new ScaffoldError(`the dataset was written, but regenerating ${what} failed; run npm run ${command}: ${result.stderr.trim().split('\n')[0]}`);
    }
  }
}

export async function main(argv: readonly string[], root: string = join(__dirname, '..')): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${USAGE}\nWalkthrough: docs/adding-a-dataset.md`);
    return 0;
  }
  const request = parse(argv);
  const scaffold = planDataset(request, scaffoldContext(root));
  const file = join(root, 'config', 'datasets', scaffold.fileName);
  const indexFile = join(root, 'config', 'datasets', 'index.ts');
  const index = registerDataset(readFileSync(indexFile, 'utf8'), scaffold);
  if (existsSync(file)) throw new ScaffoldError(`config/datasets/${scaffold.fileName} already exists; choose another name`);
  writeFileSync(file, scaffold.source);
  writeFileSync(indexFile, index);
  regenerateDictionary(root);
  const { dataset } = scaffold;
  console.log(
    [
      `Created config/datasets/${scaffold.fileName} (${dataset.format}, zone ${dataset.zone}, domain ${dataset.domain}, ingestion ${dataset.ingestion}),`,
      `registered it in config/datasets/index.ts and regenerated docs/data-dictionary.md and docs/lineage.md.`,
      '',
      'Next steps (docs/adding-a-dataset.md explains each):',
      `  1. Edit config/datasets/${scaffold.fileName}: owner, description, the real columns and their classifications, quality rules.`,
      '  2. npm run docs:catalog && npm run docs:lineage   # again after editing, so the generated docs match',
      '  3. npx cdk synth               # validates the dataset against every zone and domain, runs cdk-nag',
      '  4. npm run snapshots:update    # review the new resources in test/snapshots/',
      `  5. git add config/datasets docs test/snapshots && git commit -m "Add dataset ${dataset.name}"`,
    ].join('\n'),
  );
  return 0;
}

if (require.main === module) void runCommand('dataset:new', main);
