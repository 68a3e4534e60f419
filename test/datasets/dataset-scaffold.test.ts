import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { datasetProblems, MAX_DATASET_NAME_LENGTH } from '../../constructs/datasets';
import { datasetExportName, datasetFileName, planDataset, registerDataset, ScaffoldError, type ScaffoldContext } from '../../scripts/dataset-scaffold';
import { scaffoldContext } from '../../scripts/dataset-new';
import { REPO_ROOT } from '../support/app-context';

const context: ScaffoldContext = scaffoldContext(REPO_ROOT);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScaffoldError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('dataset scaffold: what it writes', () => {
  it('takes its zones and domains from the environments and knows every declared dataset', () => {
    expect(context.zones).toEqual(['raw', 'curated', 'analytics']);
    expect(context.domains).toContain('product_analytics');
    expect(context.existingNames).toEqual(DATASETS.map((dataset) => dataset.name));
  });

  it.each([
    [{ name: 'page_views' }, { format: 'parquet', zone: 'raw', ingestion: 'stream' }],
    [{ name: 'page_views', format: 'iceberg' as const }, { format: 'iceberg', zone: 'analytics', ingestion: 'batch' }],
    [{ name: 'page_views', zone: 'curated', ingestion: 'none' as const }, { format: 'parquet', zone: 'curated', ingestion: 'none' }],
  ])('%o produces a declaration the contract accepts (%o)', (request, expected) => {
    const { dataset } = planDataset(request, context);
    expect(dataset).toMatchObject(expected);
    expect(datasetProblems(dataset, { zones: context.zones, domains: context.domains })).toEqual([]);
  });

  it('defaults the domain to the first configured one', () => {
    expect(planDataset({ name: 'page_views' }, context).dataset.domain).toBe(context.domains[0]);
  });

  it('names the file with hyphens and the export in camelCase', () => {
    expect(datasetFileName('page_views_v2')).toBe('page-views-v2.ts');
    expect(datasetExportName('page_views_v2')).toBe('pageViewsV2');
  });

  it('writes no TODO marker and says which parts are examples', () => {
    const { source } = planDataset({ name: 'page_views' }, context);
    expect(source).not.toMatch(/TODO|FIXME/);
    expect(source.match(/Example column:/g)).toHaveLength(3);
    expect(source).toContain("name: 'page_views'");
  });

  it('keeps Iceberg data out of lifecycle expiry (no retention) and gives Parquet a year', () => {
    expect(planDataset({ name: 'a_table', format: 'iceberg' }, context).dataset.retentionDays).toBeUndefined();
    expect(planDataset({ name: 'a_table' }, context).dataset.retentionDays).toEqual({ raw: 365 });
  });
});

describe('dataset scaffold: what it refuses, in one line', () => {
  it.each([
    ['a hyphenated name', 'page-views', /contains a hyphen.*"page_views"/],
    ['a name that is not snake_case', 'PageViews', /not snake_case/],
    ['an Athena reserved word', 'select', /reserved word/],
    ['a name longer than the contract allows', 'x'.repeat(MAX_DATASET_NAME_LENGTH + 1), /characters long/],
    ['an existing dataset', 'events', /"events" already exists/],
  ])('%s', (_, name, message) => {
    const text = refusal(() => planDataset({ name }, context));
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('an unknown domain, naming the configured ones and where to add it', () => {
    expect(refusal(() => planDataset({ name: 'page_views', domain: 'finance' }, context))).toMatch(
      /domain "finance" is not configured; use one of .*product_analytics.*catalog\.domains/,
    );
  });

  it('an unknown zone, naming the zones', () => {
    expect(refusal(() => planDataset({ name: 'page_views', zone: 'gold' }, context))).toMatch(/zone "gold" .* raw, curated, analytics/);
  });

  it('an unknown format or ingestion mode', () => {
    expect(refusal(() => planDataset({ name: 'page_views', format: 'csv' as never }, context))).toMatch(/--format "csv".*parquet, iceberg/);
    expect(refusal(() => planDataset({ name: 'page_views', ingestion: 'ftp' as never }, context))).toMatch(/--ingestion "ftp"/);
  });

  it('a streamed Iceberg table, with the reason', () => {
    expect(refusal(() => planDataset({ name: 'page_views', format: 'iceberg', ingestion: 'stream' }, context))).toMatch(/Firehose writes Parquet/);
  });

  it('a file that already exists under another dataset name', () => {
    const taken = { ...context, existingFiles: [...context.existingFiles, 'page-views.ts'] };
    expect(refusal(() => planDataset({ name: 'page_views' }, taken))).toMatch(/config\/datasets\/page-views\.ts already exists/);
  });
});

describe('dataset scaffold: registration in config/datasets/index.ts', () => {
  const index = [
    "import type { DatasetDefinition } from '../../constructs/datasets';",
    "import { events } from './events';",
    '',
    'export const DATASETS: readonly DatasetDefinition[] = [events, ...more];',
    '',
  ].join('\n');

  it('imports the file after the last import and appends the export to DATASETS', () => {
    expect(registerDataset(index, { fileName: 'page-views.ts', exportName: 'pageViews' })).toBe(
      [
        "import type { DatasetDefinition } from '../../constructs/datasets';",
        "import { events } from './events';",
        "import { pageViews } from './page-views';",
        '',
        'export const DATASETS: readonly DatasetDefinition[] = [events, ...more, pageViews];',
        '',
      ].join('\n'),
    );
  });

  it('registers the dataset with its file in DATASET_FILES, so validation errors can name that file', () => {
    const index = [
      "import type { DatasetDefinition } from '../../constructs/datasets';",
      "import { events } from './events';",
      '',
      'export const DATASET_FILES: ReadonlyArray<{ readonly file: string; readonly datasets: readonly DatasetDefinition[] }> = [',
      "  { file: 'config/datasets/events.ts', datasets: [events] },",
      '];',
      '',
    ].join('\n');
    expect(registerDataset(index, { fileName: 'page-views.ts', exportName: 'pageViews' })).toBe(
      [
        "import type { DatasetDefinition } from '../../constructs/datasets';",
        "import { events } from './events';",
        "import { pageViews } from './page-views';",
        '',
        'export const DATASET_FILES: ReadonlyArray<{ readonly file: string; readonly datasets: readonly DatasetDefinition[] }> = [',
        "  { file: 'config/datasets/events.ts', datasets: [events] },",
        "  { file: 'config/datasets/page-views.ts', datasets: [pageViews] },",
        '];',
        '',
      ].join('\n'),
    );
  });

  it('refuses, naming the manual step, when the index has no DATASETS array', () => {
    expect(refusal(() => registerDataset("import { a } from './a';\nexport default [a];\n", { fileName: 'b.ts', exportName: 'b' }))).toMatch(
      /add the import and the entry by hand/,
    );
  });
});
