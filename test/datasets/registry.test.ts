import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FILES, DATASET_SOURCES, DATASETS } from '../../config/datasets';
import { DatasetValidationError, validateDatasets, type DatasetDefinition } from '../../constructs/datasets';
import { REPO_ROOT } from '../support/app-context';

describe('the dataset registry carries the file each dataset is declared in', () => {
  it.each(DATASET_FILES.map((entry) => [entry.file, entry] as const))('%s exists and exports the datasets listed for it', async (file, entry) => {
    expect(existsSync(join(REPO_ROOT, file))).toBe(true);
    const exported = Object.values((await import(join(REPO_ROOT, file))) as Record<string, unknown>);
    for (const dataset of entry.datasets) expect(exported.some((value) => value === dataset || (Array.isArray(value) && value.includes(dataset)))).toBe(true);
  });

  it('every shipped dataset has its file', () => {
    expect(DATASETS.length).toBeGreaterThan(0);
    for (const dataset of DATASETS) expect(DATASET_SOURCES.get(dataset), dataset.name).toMatch(/^config\/datasets\/[a-z-]+\.ts$/);
  });
});

describe('a mistake in any shipped dataset file is refused with that file named', () => {
  const zones = ['raw', 'curated', 'analytics'];
  const domains = [...new Set(DATASETS.map((dataset) => dataset.domain))];
  /** The report line for `dataset` with `mutate` applied, as validateDatasets words it. */
  const lines = (dataset: DatasetDefinition, file: string, mutate: (copy: Record<string, unknown>) => void): string => {
    const copy = JSON.parse(JSON.stringify(dataset)) as Record<string, unknown>;
    mutate(copy);
    try {
      validateDatasets([copy as unknown as DatasetDefinition], { zones, domains, sources: new Map([[copy, file]]) });
    } catch (error) {
      if (error instanceof DatasetValidationError) return error.message;
      throw error;
    }
    throw new Error(`${file}: the mistake was accepted`);
  };
  const shipped = DATASET_FILES.flatMap((entry) => entry.datasets.map((dataset) => [`${entry.file} (${dataset.name})`, dataset, entry.file] as const));

  it('covers the files added since the first release', () => {
    const files = DATASET_FILES.map((entry) => entry.file);
    for (const file of ['config/datasets/events-curated.ts', 'config/datasets/lineage.ts', 'config/datasets/collector-quarantine.ts']) expect(files).toContain(file);
  });

  it.each(shipped)('%s: a misspelt field', (_title, dataset, file) => {
    const message = lines(dataset, file, (copy) => {
      copy.freshnesSloMinutes = copy.freshnessSloMinutes;
      delete copy.freshnessSloMinutes;
    });
    expect(message).toContain(`${file}, dataset "${dataset.name}"`);
    expect(message).toContain('- freshnesSloMinutes: got');
    expect(message).toContain('did you mean "freshnessSloMinutes"?');
  });

  it.each(shipped)('%s: a missing required field', (_title, dataset, file) => {
    const message = lines(dataset, file, (copy) => delete copy.owner);
    expect(message).toContain(`${file}, dataset "${dataset.name}"`);
    expect(message).toMatch(/- owner: got \(missing\)/);
  });
});
