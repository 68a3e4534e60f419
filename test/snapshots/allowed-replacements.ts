import type { AllowedHazard } from '../support/replacement-guard';

/**
 * Deliberate replacements or removals of stateful resources, reviewed and recorded. The replacement
 * guard refuses any other. Add an entry only with a reason a reviewer can check (what happens to the
 * data, and how it is migrated), and remove it once the change has landed.
 */
const MASTER_USERNAME =
  'The master user is no longer "postgres" (default lakehouse_admin, issue 16). These placeholder environments were never deployed. ' +
  'An existing deployment keeps its database by setting vectorStore.masterUsername: "postgres" (README, "Upgrading"); without it this ' +
  'guard refuses its snapshot update, which is how such a deployment finds out.';

export const ALLOWED_REPLACEMENTS: readonly AllowedHazard[] = [
  {
    environment: 'dev',
    stack: 'lakehouse-dev-storage',
    logicalId: 'BackupVaultADF21B19',
    reason:
      'dev names each deployment\'s vault apart (lakehouse-dev-<stack id>) and retains it, so destroy and redeploy work (issue 16). ' +
      'The old "lakehouse-dev" vault cannot be deleted while it holds recovery points: CloudFormation leaves it behind, and ' +
      'constructs/backup/README.md ("Destroying dev") says how to empty and delete it.',
  },
  ...(['dev', 'staging', 'prod'] as const).map((environment) => ({
    environment,
    stack: `lakehouse-${environment}-vector`,
    logicalId: 'VectorStoreInstance4D953A4F',
    reason: MASTER_USERNAME,
  })),
];
