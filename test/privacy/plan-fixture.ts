/**
 * The real erasure plan (constructs/privacy/plan.ts) of the shipped events (Parquet) and events_curated
 * (Iceberg) contracts, for the workflow's definition and construct tests: what they build from is what an
 * environment builds from, so no test passes because of a stand-in's SQL.
 */
import { events } from '../../config/datasets/events';
import { eventsCurated } from '../../config/datasets/events-curated';
import { erasurePlan, type ErasureTarget } from '../../constructs/privacy/plan';

export interface PlanFixtureOptions {
  /** `<prefix>_raw`, `<prefix>_curated`, `<prefix>_privacy`. @default 'lakehouse_dev' */
  readonly databasePrefix?: string;
  /** Bucket (name or token) per zone. @default 'lake-bucket' for both */
  readonly buckets?: { readonly raw: string; readonly curated: string };
}

export function planFixture(options: PlanFixtureOptions = {}): ErasureTarget[] {
  const prefix = options.databasePrefix ?? 'lakehouse_dev';
  return erasurePlan([events, eventsCurated], {
    databases: { raw: `${prefix}_raw`, curated: `${prefix}_curated` },
    buckets: options.buckets ?? { raw: 'lake-bucket', curated: 'lake-bucket' },
    privacyDatabase: `${prefix}_privacy`,
  });
}

/** events (Parquet), then events_curated (Iceberg), in the dev environment's databases. */
export const PLAN: readonly ErasureTarget[] = planFixture();
