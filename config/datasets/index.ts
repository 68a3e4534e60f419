import type { DatasetDefinition } from '../../constructs/datasets';
import { analyticsDatasets } from './analytics';
import { clientErrors } from './client-errors';
import { collectorQuarantine } from './collector-quarantine';
import { dataQualityResults } from './data-quality-results';
import { documents } from './documents';
import { events } from './events';
import { eventsCurated } from './events-curated';
import { lineage } from './lineage';

/**
 * Every dataset this product ships, with the file that declares it: validation errors name that file
 * (a test checks each file exists and exports its datasets).
 */
export const DATASET_FILES: ReadonlyArray<{ readonly file: string; readonly datasets: readonly DatasetDefinition[] }> = [
  { file: 'config/datasets/events.ts', datasets: [events] },
  { file: 'config/datasets/events-curated.ts', datasets: [eventsCurated] },
  { file: 'config/datasets/client-errors.ts', datasets: [clientErrors] },
  { file: 'config/datasets/documents.ts', datasets: [documents] },
  { file: 'config/datasets/analytics.ts', datasets: analyticsDatasets },
  { file: 'config/datasets/data-quality-results.ts', datasets: [dataQualityResults] },
  { file: 'config/datasets/collector-quarantine.ts', datasets: [collectorQuarantine] },
  { file: 'config/datasets/lineage.ts', datasets: [lineage] },
];

/** Every dataset this product ships, declared once; every environment catalogs all of them. */
export const DATASETS: readonly DatasetDefinition[] = DATASET_FILES.flatMap((entry) => entry.datasets);

/** The file each of DATASETS comes from, by object identity. */
export const DATASET_SOURCES: ReadonlyMap<unknown, string> = new Map(DATASET_FILES.flatMap((entry) => entry.datasets.map((dataset) => [dataset, entry.file] as const)));
