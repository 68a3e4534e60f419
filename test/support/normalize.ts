import type { Template } from './synth';

const ASSET_HASH = /[0-9a-f]{64}/g;

/**
 * A template as committed to test/snapshots: asset hashes replaced (they change with the checkout path
 * and with aws-cdk-lib's own handler code, neither of which is a change to our infrastructure) and
 * the CDK analytics resource removed. Everything else is kept, so a snapshot diff is a resource diff.
 */
export function normalizeTemplate(template: Template): Template {
  const copy = JSON.parse(JSON.stringify(template).replace(ASSET_HASH, '<asset-hash>')) as Template;
  delete copy.Resources.CDKMetadata;
  const conditions = copy.Conditions as Record<string, unknown> | undefined;
  if (conditions) {
    delete conditions.CDKMetadataAvailable;
    if (Object.keys(conditions).length === 0) delete copy.Conditions;
  }
  return copy;
}
