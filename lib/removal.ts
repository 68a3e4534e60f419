import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/schema';

/** How an environment's removal choice maps onto stateful resources. */
export interface StatefulRemoval {
  /** Removal policy for keys, buckets and log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** Whether buckets are emptied on deletion (only with DESTROY). */
  readonly autoDeleteObjects: boolean;
  /** Waiting period before a removed KMS key is deleted. */
  readonly keyPendingWindow: Duration;
  /**
   * Termination protection, for every stack outside dev: a stateless stack's deletion still breaks the
   * environment (the VPC under the database, the alarms), so deleting one is a two-step decision there.
   */
  readonly terminationProtection: boolean;
}

/**
 * "retain" keeps every stateful resource and protects every stack outside dev; "destroy" (a dev-only
 * opt-in, enforced by the schema) empties and deletes them, with the shortest key deletion window.
 */
export function statefulRemoval(config: EnvironmentConfig): StatefulRemoval {
  const destroy = config.removalPolicy === 'destroy';
  return {
    removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    autoDeleteObjects: destroy,
    keyPendingWindow: Duration.days(destroy ? 7 : 30),
    terminationProtection: config.name !== 'dev',
  };
}
