import { Stack, type CfnResource } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type { Construct, IDependable } from 'constructs';
import { columnClassifications, LF_TAG_CLASSIFICATION, LF_TAG_DOMAIN, type Classification, type DatasetDefinition } from '../datasets';

/** Classification of columns with no tag of their own (partition keys): inherited from the table. */
export const DEFAULT_TABLE_CLASSIFICATION: Classification = 'internal';

/** A dataset's table as tag associations see it. */
export interface TaggedTable {
  readonly databaseName: string;
  /** The table resource (CloudFormation table or Iceberg custom resource): associations wait for it. */
  readonly resource: IDependable;
  /** What every association must wait for besides the table (Lake Formation settings and LF-tags). */
  readonly prerequisites: readonly IDependable[];
}

/**
 * Tags a dataset's table in `scope`: domain and the default classification (`internal`) on the table,
 * which its partition keys and `internal` columns inherit, and every other classification on its
 * column group. Construct IDs depend on the dataset alone (`<Name>TableTags`, `<Name><Class>ColumnTags`),
 * so the associations keep their logical IDs in whichever stack's `Governance` scope they are created.
 */
export function tagDatasetTable(scope: Construct, dataset: DatasetDefinition, table: TaggedTable): lakeformation.CfnTagAssociation[] {
  const catalogId = Stack.of(scope).account;
  const tableRef = { catalogId, databaseName: table.databaseName, name: dataset.name };
  const id = pascal(dataset.name);
  const associations = [
    new lakeformation.CfnTagAssociation(scope, `${id}TableTags`, {
      resource: { table: tableRef },
      lfTags: [
        { catalogId, tagKey: LF_TAG_DOMAIN, tagValues: [dataset.domain] },
        { catalogId, tagKey: LF_TAG_CLASSIFICATION, tagValues: [DEFAULT_TABLE_CLASSIFICATION] },
      ],
    }),
  ];
  for (const [classification, columns] of columnClassifications(dataset)) {
    // Columns of the table's default classification inherit it; one association fewer per table.
    if (classification === DEFAULT_TABLE_CLASSIFICATION) continue;
    associations.push(
      new lakeformation.CfnTagAssociation(scope, `${id}${pascal(classification)}ColumnTags`, {
        resource: { tableWithColumns: { ...tableRef, columnNames: columns } },
        lfTags: [{ catalogId, tagKey: LF_TAG_CLASSIFICATION, tagValues: [classification] }],
      }),
    );
  }
  for (const association of associations) {
    for (const prerequisite of table.prerequisites) association.node.addDependency(prerequisite);
    association.node.addDependency(table.resource);
  }
  return associations;
}

/** A zone's database and registered location, for table administration grants. */
export interface AdministeredZone {
  readonly name: string;
  readonly databaseName: string;
  readonly bucketArn: string;
  /** The database resource: grants wait for it. */
  readonly database: CfnResource;
  /** The location registration, when known: the location grant waits for it. */
  readonly location?: IDependable;
}

/**
 * Lets a service role create and evolve tables in a zone's database (Iceberg DDL, ELT targets):
 * CREATE_TABLE and DESCRIBE on the database, DATA_LOCATION_ACCESS on the zone's registered location,
 * and ALTER, DESCRIBE, SELECT, INSERT and DELETE on its tables. Created in `scope`, next to the role,
 * so that a shard stack's role is granted in the shard stack (the base stack never reads a shard).
 */
export function grantZoneTableAdministration(
  scope: Construct,
  role: iam.IRole,
  zone: AdministeredZone,
  prerequisites: readonly IDependable[],
): lakeformation.CfnPrincipalPermissions[] {
  const catalogId = Stack.of(scope).account;
  const principal = { dataLakePrincipalIdentifier: role.roleArn };
  const id = `${pascal(role.node.id)}${pascal(zone.name)}`;
  const grants = [
    new lakeformation.CfnPrincipalPermissions(scope, `${id}Database`, {
      principal,
      resource: { database: { catalogId, name: zone.databaseName } },
      permissions: ['CREATE_TABLE', 'DESCRIBE'],
      permissionsWithGrantOption: [],
    }),
    new lakeformation.CfnPrincipalPermissions(scope, `${id}Location`, {
      principal,
      resource: { dataLocation: { catalogId, resourceArn: zone.bucketArn } },
      permissions: ['DATA_LOCATION_ACCESS'],
      permissionsWithGrantOption: [],
    }),
    new lakeformation.CfnPrincipalPermissions(scope, `${id}Tables`, {
      principal,
      resource: { table: { catalogId, databaseName: zone.databaseName, tableWildcard: {} } },
      permissions: ['ALTER', 'DESCRIBE', 'SELECT', 'INSERT', 'DELETE'],
      permissionsWithGrantOption: [],
    }),
  ];
  for (const grant of grants) {
    for (const prerequisite of prerequisites) grant.node.addDependency(prerequisite);
    grant.node.addDependency(zone.database);
  }
  if (zone.location) grants[1].node.addDependency(zone.location);
  return grants;
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
