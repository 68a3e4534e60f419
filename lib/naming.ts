/**
 * Deterministic, environment-prefixed names (DESIGN.md, "Names"). Resources CloudFormation can name
 * (buckets, keys, roles, log groups) are left unnamed; only what must be addressed by name is here.
 */

/** The layers an environment is split into, one stack each. */
export type StackLayer = 'network' | 'storage';

/** `<project>-<env>-<layer>`, the stack's name and construct ID. */
export function stackName(project: string, environment: string, layer: StackLayer): string {
  return `${project}-${environment}-${layer}`;
}
