import { BASE_SHARD } from '../constructs/datasets';

/**
 * Deterministic, environment-prefixed names (docs/architecture.md, "Names"). Resources CloudFormation can name
 * (buckets, keys, roles, log groups) are left unnamed; only what must be addressed by name is here.
 */

/** The layers an environment is split into, one stack each. */
export type StackLayer = 'network' | 'storage' | 'catalog' | 'ingestion' | 'vector' | 'embeddings' | 'collector' | 'privacy' | 'operations' | 'dr';

/** `<project>-<env>-<layer>`, the stack's name and construct ID. */
export function stackName(project: string, environment: string, layer: StackLayer): string {
  return `${project}-${environment}-${layer}`;
}

/** Layers whose per-dataset resources are split into shard stacks (lib/placement.ts). */
export type ShardedLayer = 'catalog' | 'ingestion' | 'operations';
export const SHARDED_LAYERS: readonly ShardedLayer[] = ['catalog', 'ingestion', 'operations'];

/**
 * `<project>-<env>-<layer>` for the base shard (today's name, so existing deployments keep their stacks),
 * `<project>-<env>-<layer>-<shard>` for the others.
 */
export function shardStackName(project: string, environment: string, layer: ShardedLayer, shard: string): string {
  return shard === BASE_SHARD ? stackName(project, environment, layer) : `${stackName(project, environment, layer)}-${shard}`;
}

/** `<project>_<env>`: Glue database names are `<prefix>_<zone>` (lowercase, underscores: Glue and Athena rules). */
export function glueDatabasePrefix(project: string, environment: string): string {
  return `${project}_${environment}`;
}

/** `<project>-<env>-<persona>`. */
export function workgroupName(project: string, environment: string, persona: string): string {
  return `${project}-${environment}-${persona}`;
}

/** Workgroup of the platform's own automation: Iceberg DDL now, data quality and ELT later. */
export const ENGINEERING_WORKGROUP = 'engineering';

/** `<project>-<env>-<dataset>`: Kinesis and Firehose stream names (≤ 64 characters). */
export function streamName(project: string, environment: string, dataset: string): string {
  const name = `${project}-${environment}-${dataset}`;
  if (name.length > 64) throw new Error(`stream name "${name}" is longer than Kinesis and Firehose allow (64)`);
  return name;
}

/** `<project>-<env>-vectors`: fixed so that the database's log groups exist before it does. */
export function vectorInstanceIdentifier(project: string, environment: string): string {
  return `${project}-${environment}-vectors`;
}

/** `<project>-<env>`: the environment's backup vault; the DR vault adds `-dr` (fixed, named across regions). */
export function backupVaultName(project: string, environment: string, disasterRecovery = false): string {
  return `${project}-${environment}${disasterRecovery ? '-dr' : ''}`;
}

/** `<project>-<env>-metrics-elt`: the metrics ELT state machine (the backfill script finds it by this name). */
export function eltStateMachineName(project: string, environment: string): string {
  return `${project}-${environment}-metrics-elt`;
}

/** OpenLineage job namespace of the platform's jobs (ELT, data quality): `<project>-<env>`. */
export function lineageJobNamespace(config: { readonly project: string; readonly name: string }): string {
  return `${config.project}-${config.name}`;
}

/** The product-metrics flow's daily pipeline (events and alarms name it): `<project>-<env>-product-metrics`. */
export function metricsPipelineName(project: string, environment: string): string {
  return `${project}-${environment}-product-metrics`;
}

/** Its state machine, found by name by scripts/elt-backfill.ts. */
export function metricsPipelineStateMachineName(project: string, environment: string): string {
  return `${metricsPipelineName(project, environment)}-pipeline`;
}
