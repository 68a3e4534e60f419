import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASET_FILES, DATASET_SOURCES, DATASETS } from '../../config/datasets';
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
