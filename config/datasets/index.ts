import type { DatasetDefinition } from '../../constructs/datasets';
import { analyticsDatasets } from './analytics';
import { clientErrors } from './client-errors';
import { dataQualityResults } from './data-quality-results';
import { documents } from './documents';
import { events } from './events';

/** Every dataset this product ships, declared once; every environment catalogs all of them. */
export const DATASETS: readonly DatasetDefinition[] = [events, clientErrors, documents, ...analyticsDatasets, dataQualityResults];
