import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import type { Template } from './synth';

/**
 * Resource types that hold data or identity: replacing or deleting one loses data (buckets, streams,
 * databases, vaults, log groups, secrets) or makes data unreadable (keys).
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::Backup::BackupVault',
  'AWS::Kinesis::Stream',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
  'AWS::Glue::Database',
  'AWS::Glue::Table',
]);

/** A change to a stateful resource that CloudFormation would carry out by deleting it. */
export interface StatefulHazard {
  readonly environment: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** `replaced` (a property forces a new physical resource) or `removed` (deleted, or its logical ID changed). */
  readonly kind: 'replaced' | 'removed';
  /** The properties forcing the replacement, when CloudFormation would replace it. */
  readonly properties: readonly string[];
}

/** A deliberate, reviewed replacement or removal. Keep the reason specific: it is the review record. */
export interface AllowedHazard {
  readonly environment: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly reason: string;
}

const REPLACING: ReadonlySet<ResourceImpact> = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);

/** The stateful hazards in moving one stack from `before` (committed) to `after` (current). */
export function findStatefulHazards(environment: string, stack: string, before: Template, after: Template): StatefulHazard[] {
  const hazards: StatefulHazard[] = [];
  const diff = fullDiff(before as any, after as any);
  diff.resources.forEachDifference((logicalId, change) => {
    const resourceType = change.oldResourceType ?? change.newResourceType ?? 'unknown';
    if (!STATEFUL_RESOURCE_TYPES.has(resourceType)) return;
    // A retained resource is not deleted by CloudFormation, but it is orphaned: the stack would create a
    // new, empty one in its place. That is still data gone from the stack's point of view.
    if (change.isRemoval) {
      hazards.push({ environment, stack, logicalId, resourceType, kind: 'removed', properties: [] });
      return;
    }
    if (change.isAddition) return;
    if (change.oldResourceType !== change.newResourceType || REPLACING.has(change.changeImpact)) {
      const properties = Object.entries(change.propertyUpdates)
        .filter(([, update]) => update.changeImpact !== undefined && REPLACING.has(update.changeImpact))
        .map(([name]) => name);
      hazards.push({ environment, stack, logicalId, resourceType, kind: 'replaced', properties });
    }
  });
  return hazards;
}

/** Hazards not covered by an allow-list entry. */
export function unallowedHazards(hazards: readonly StatefulHazard[], allowed: readonly AllowedHazard[]): StatefulHazard[] {
  return hazards.filter(
    (hazard) =>
      !allowed.some(
        (entry) => entry.environment === hazard.environment && entry.stack === hazard.stack && entry.logicalId === hazard.logicalId,
      ),
  );
}

/** One line per hazard, naming the resource and the property at fault. */
export function describeHazard(hazard: StatefulHazard): string {
  const where = `${hazard.environment}/${hazard.stack}/${hazard.logicalId} (${hazard.resourceType})`;
  if (hazard.kind === 'removed') {
    return `${where} would be removed or renamed (its logical ID disappears); its data would leave the stack`;
  }
  const cause = hazard.properties.length > 0 ? `changing ${hazard.properties.join(', ')}` : 'a type or identity change';
  return `${where} would be REPLACED by ${cause}; the old resource and its data would be deleted or orphaned`;
}
