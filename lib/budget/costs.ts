import type { ShardedLayer } from '../naming';
import type { Measure } from './limits';

/**
 * Upper bounds of what one more dataset adds to its stack in each sharded layer (the largest kind: in
 * catalog an Iceberg dataset, in ingestion and operations a streamed Parquet dataset with quality rules),
 * measured with bench/scale.ts and kept upper bounds by test/app/budget-costs.test.ts. They turn a
 * stack's headroom into "datasets it can still take" and an excess into "datasets to move".
 */
export const PER_DATASET_COST: Readonly<Record<ShardedLayer, Readonly<Partial<Record<Measure, number>>>>> = {
  // An Iceberg table: its DDL custom resource, tag association, three Glue table optimizers and their Lake
  // Formation grant; the DDL and optimizer roles name each table's folder and catalog entry.
  catalog: { resources: 6, templateBytes: 6_200, policySize: 200 },
  ingestion: { resources: 7, templateBytes: 13_000, outputs: 2 },
  // Three alarms per streamed dataset, one per checked dataset, their dashboard widgets; the checks'
  // role names each table it reads, and its function lists them in its environment.
  operations: { resources: 6, templateBytes: 18_500, policySize: 75, lambdaEnvironment: 55 },
};
