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

/** A named-resource grant on a database (for example CREATE_TABLE for a service that creates tables). */
export function grantDatabasePermissions(
  scope: Construct,
  id: string,
  role: iam.IRole,
  databaseName: string,
  permissions: readonly ('CREATE_TABLE' | 'DESCRIBE' | 'ALTER')[],
): lakeformation.CfnPrincipalPermissions {
  return new lakeformation.CfnPrincipalPermissions(scope, id, {
    principal: { dataLakePrincipalIdentifier: role.roleArn },
    resource: { database: { catalogId: Stack.of(scope).account, name: databaseName } },
    permissions: [...permissions],
    permissionsWithGrantOption: [],
  });
}

/** DATA_LOCATION_ACCESS on a registered location (needed to create tables whose data lives there). */
export function grantDataLocation(scope: Construct, id: string, role: iam.IRole, locationArn: string): lakeformation.CfnPrincipalPermissions {
  return new lakeformation.CfnPrincipalPermissions(scope, id, {
    principal: { dataLakePrincipalIdentifier: role.roleArn },
    resource: { dataLocation: { catalogId: Stack.of(scope).account, resourceArn: locationArn } },
    permissions: ['DATA_LOCATION_ACCESS'],
    permissionsWithGrantOption: [],
  });
}
