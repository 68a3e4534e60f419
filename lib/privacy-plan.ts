import type { DatasetDefinition } from '../constructs/datasets';
import { erasurePlan, type ErasureTarget } from '../constructs/privacy/plan';

/** Where the datasets of the plan live in this environment (what the plan needs besides the contracts). */
export interface PlanContext {
  /** Glue database of a zone. */
  readonly databaseName: (zone: string) => string;
  /** Bucket name (a token) of a zone. */
  readonly bucketName: (zone: string) => string;
  /** The privacy database holding `erasure_subjects`. */
  readonly privacyDatabaseName: string;
  /** The file each dataset is declared in (by object identity), named in every refusal. @default none */
  readonly sources?: ReadonlyMap<unknown, string>;
}

/**
 * The environment's erasure plan (constructs/privacy/plan.ts): one target per dataset whose contract names
 * data-subject keys, with the zone databases and buckets of the zones those datasets use. A dataset the
 * erasure could not search is refused here, at synth, through the validation report.
 */
export function erasurePlanFor(datasets: readonly DatasetDefinition[], context: PlanContext): ErasureTarget[] {
  const zones = [...new Set(datasets.map((dataset) => dataset.zone))];
  return erasurePlan(datasets, {
    databases: Object.fromEntries(zones.map((zone) => [zone, context.databaseName(zone)])),
    buckets: Object.fromEntries(zones.map((zone) => [zone, context.bucketName(zone)])),
    privacyDatabase: context.privacyDatabaseName,
    ...(context.sources ? { sources: context.sources } : {}),
  });
}
