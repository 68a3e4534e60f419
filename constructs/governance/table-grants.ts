import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct } from 'constructs';

/** One table, by name. */
export interface GovernedTable {
  readonly databaseName: string;
  readonly tableName: string;
}

/**
 * A named-resource Lake Formation grant of `permissions` on one table, created next to the principal
 * that needs it (for example a Firehose role in the ingestion stack: format conversion reads its table's
 * schema, which Lake Formation governs once IAMAllowedPrincipals is off). For service roles; personas are
 * granted through LF-tag expressions (`LakeGovernance.grantPersona`).
 */
export function grantTablePermissions(
  scope: Construct,
  id: string,
  role: iam.IRole,
  table: GovernedTable,
  permissions: readonly ('SELECT' | 'DESCRIBE' | 'INSERT' | 'DELETE' | 'ALTER')[],
): lakeformation.CfnPrincipalPermissions {
  const catalogId = Stack.of(scope).account;
  return new lakeformation.CfnPrincipalPermissions(scope, id, {
    principal: { dataLakePrincipalIdentifier: role.roleArn },
    resource: { table: { catalogId, databaseName: table.databaseName, name: table.tableName } },
    permissions: [...permissions],
    permissionsWithGrantOption: [],
  });
}
