import type { Classification, DatasetDefinition } from './model';

/** Lake Formation tag keys (docs/architecture.md, "Names"). */
export const LF_TAG_CLASSIFICATION = 'classification';
export const LF_TAG_DOMAIN = 'domain';

/** The classification tag of each column, grouped by value (one LF tag association per group). */
export function columnClassifications(dataset: DatasetDefinition): Map<Classification, string[]> {
  const groups = new Map<Classification, string[]>();
  for (const column of dataset.columns) {
    groups.set(column.classification, [...(groups.get(column.classification) ?? []), column.name]);
  }
  return groups;
}

/** Columns a principal without access to `excluded` classifications may read. */
export function columnsVisibleWithout(dataset: DatasetDefinition, excluded: readonly Classification[]): string[] {
  return dataset.columns.filter((column) => !excluded.includes(column.classification)).map((column) => column.name);
}
