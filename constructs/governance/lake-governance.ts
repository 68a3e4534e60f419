import { CfnResource, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IDependable } from 'constructs';
import { CLASSIFICATIONS, LF_TAG_CLASSIFICATION, LF_TAG_DOMAIN, type Classification, type DatasetDefinition } from '../datasets';
import { grantZoneTableAdministration, tagDatasetTable, type AdministeredZone } from './dataset-tags';
import { acknowledgeDataAccessRoleFindings } from './governance-compliance';

/** LF-tag that carries a database's zone; tables and columns inherit it. */
export const LF_TAG_ZONE = 'zone';

/** One zone as governance sees it. */
export interface GovernedZone {
  readonly name: string;
  readonly bucket: s3.IBucket;
  /** Glue database name of the zone. */
  readonly databaseName: string;
  /** The database resource, so that tag associations wait for it. */
  readonly database: CfnResource;
}

/** Properties of {@link LakeGovernance}. */
export interface LakeGovernanceProps {
  readonly zones: readonly GovernedZone[];
  /** Datasets whose tables get tag associations. */
  readonly datasets: readonly DatasetDefinition[];
  /** Table resources by dataset name (CloudFormation tables or Iceberg custom resources), for ordering. */
  readonly tables: ReadonlyMap<string, IDependable>;
  /** Key that encrypts the zone buckets; each zone's data-access role may use it. */
  readonly lakeKey: kms.IKey;
  /** Values of the `domain` LF-tag. */
  readonly domains: readonly string[];
  /**
   * Define the account-wide settings here: data-lake settings (admins, no IAMAllowedPrincipals
   * defaults) and the LF-tags. Exactly one stack per account and region may; others only reference them.
   * @default true
   */
  readonly ownsAccountSettings?: boolean;
  /**
   * Lake Formation administrators in addition to the CDK deployment role (which is always added when the
   * stack uses the default synthesizer: without it every catalog resource fails with "Insufficient Lake
   * Formation permission(s)"). The settings resource replaces the account's admin list.
   * @default none
   */
  readonly admins?: readonly string[];
  /**
   * Register the zone locations in hybrid access mode (IAM and Lake Formation permissions both apply).
   * @default false
   */
  readonly hybridAccess?: boolean;
}

/** What a persona may see. */
export interface PersonaGrant {
  readonly name: string;
  readonly role: iam.IRole;
  /** @default every zone */
  readonly zones?: readonly string[];
  /** @default none */
  readonly excludeClassifications?: readonly Classification[];
  /** Also INSERT, DELETE and ALTER (engineers). @default false */
  readonly write?: boolean;
}

/**
 * Lake Formation governance of the lake: the data-lake settings (admins, Lake Formation permissions
 * instead of IAMAllowedPrincipals for new databases and tables), LF-tags `classification`, `domain` and
 * `zone`, each zone's location registered with its own data-access role, tag associations derived
 * from the dataset contracts (zone on databases, domain on tables, classification on columns), and
 * persona grants through LF-tag expressions rather than per-table grants.
 */
export class LakeGovernance extends Construct {
  /** The account-wide settings, when this construct owns them. */
  public readonly settings?: lakeformation.CfnDataLakeSettings;
  /** LF-tags by key, when this construct owns them. */
  public readonly tags: ReadonlyMap<string, lakeformation.CfnTag>;
  /** Data-access roles Lake Formation uses to read each zone. */
  public readonly dataAccessRoles: ReadonlyMap<string, iam.Role>;
  /** Persona grants by persona name. */
  public readonly personaGrants = new Map<string, lakeformation.CfnPrincipalPermissions[]>();

  private readonly catalogId: string;
  private readonly props: LakeGovernanceProps;
  /** What every grant and association must wait for. */
  private readonly prerequisites: IDependable[] = [];

  constructor(scope: Construct, id: string, props: LakeGovernanceProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    this.catalogId = stack.account;
    const owns = props.ownsAccountSettings ?? true;

    if (owns) {
      this.settings = new lakeformation.CfnDataLakeSettings(this, 'Settings', {
        admins: this.adminArns().map((arn) => ({ dataLakePrincipalIdentifier: arn })),
        // Empty defaults: new databases and tables get no IAMAllowedPrincipals grant, so Lake Formation
        // permissions are what decides access.
        createDatabaseDefaultPermissions: [],
        createTableDefaultPermissions: [],
      });
      for (const zone of props.zones) zone.database.node.addDependency(this.settings);
      this.prerequisites.push(this.settings);
    }

    const tagValues: Record<string, readonly string[]> = {
      [LF_TAG_CLASSIFICATION]: CLASSIFICATIONS,
      [LF_TAG_DOMAIN]: props.domains,
      [LF_TAG_ZONE]: props.zones.map((zone) => zone.name),
    };
    const tags = new Map<string, lakeformation.CfnTag>();
    if (owns) {
      for (const [key, values] of Object.entries(tagValues)) {
        const tag = new lakeformation.CfnTag(this, `${pascal(key)}Tag`, { catalogId: this.catalogId, tagKey: key, tagValues: [...values] });
        if (this.settings) tag.node.addDependency(this.settings);
        tags.set(key, tag);
        this.prerequisites.push(tag);
      }
    }
    this.tags = tags;

    const roles = new Map<string, iam.Role>();
    for (const zone of props.zones) {
      const role = new iam.Role(this, `${pascal(zone.name)}DataAccessRole`, {
        assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
        description: `Lake Formation data access to the ${zone.name} zone only`,
      });
      // Explicit actions (no wildcards in the action list): read and write objects of this bucket only.
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [zone.bucket.bucketArn] }));
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [zone.bucket.arnForObjects('*')] }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [props.lakeKey.keyArn] }),
      );
      acknowledgeDataAccessRoleFindings(role);
      roles.set(zone.name, role);

      const registration = new lakeformation.CfnResource(this, `${pascal(zone.name)}Location`, {
        resourceArn: zone.bucket.bucketArn,
        roleArn: role.roleArn,
        useServiceLinkedRole: false,
        hybridAccessEnabled: props.hybridAccess ?? false,
      });
      this.after(registration);

      const association = new lakeformation.CfnTagAssociation(this, `${pascal(zone.name)}DatabaseTags`, {
        resource: { database: { catalogId: this.catalogId, name: zone.databaseName } },
        lfTags: [{ catalogId: this.catalogId, tagKey: LF_TAG_ZONE, tagValues: [zone.name] }],
      });
      this.after(association);
      association.node.addDependency(zone.database);
    }
    this.dataAccessRoles = roles;

    for (const dataset of props.datasets) this.tagDataset(dataset);
  }

  /**
   * Grants a persona, through LF-tag expressions: DESCRIBE on the databases of its zones, and SELECT
   * and DESCRIBE (plus INSERT, DELETE, ALTER when `write`) on every table column whose classification
   * it may see. A column tagged with an excluded classification matches no expression, so it stays out
   * of reach however tables are added later.
   */
  public grantPersona(persona: PersonaGrant): lakeformation.CfnPrincipalPermissions[] {
    const zones = persona.zones ?? this.props.zones.map((zone) => zone.name);
    const allowed = CLASSIFICATIONS.filter((c) => !(persona.excludeClassifications ?? []).includes(c));
    const principal = { dataLakePrincipalIdentifier: persona.role.roleArn };
    const databases = new lakeformation.CfnPrincipalPermissions(this, `${pascal(persona.name)}Databases`, {
      principal,
      resource: { lfTagPolicy: { catalogId: this.catalogId, resourceType: 'DATABASE', expression: [{ tagKey: LF_TAG_ZONE, tagValues: [...zones] }] } },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    const tables = new lakeformation.CfnPrincipalPermissions(this, `${pascal(persona.name)}Tables`, {
      principal,
      resource: {
        lfTagPolicy: {
          catalogId: this.catalogId,
          resourceType: 'TABLE',
          expression: [
            { tagKey: LF_TAG_ZONE, tagValues: [...zones] },
            { tagKey: LF_TAG_CLASSIFICATION, tagValues: allowed },
          ],
        },
      },
      permissions: persona.write ? ['SELECT', 'DESCRIBE', 'INSERT', 'DELETE', 'ALTER'] : ['SELECT', 'DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    const grants = [databases, tables];
    for (const grant of grants) this.after(grant);
    this.personaGrants.set(persona.name, grants);
    return grants;
  }

  /**
   * Lets a service role create and evolve tables in `zone`'s database (Iceberg DDL, ELT targets):
   * CREATE_TABLE and DESCRIBE on the database, DATA_LOCATION_ACCESS on the zone's registered location,
   * and ALTER, DESCRIBE, SELECT, INSERT and DELETE on its tables. Named-resource grants, for service roles only;
   * personas are granted through LF-tag expressions.
   */
  public grantTableAdministration(role: iam.IRole, zoneName: string): lakeformation.CfnPrincipalPermissions[] {
    const zone = this.props.zones.find((z) => z.name === zoneName);
    if (!zone) throw new Error(`${this.node.path}: no zone "${zoneName}"`);
    return grantZoneTableAdministration(this, role, this.administeredZone(zone), this.prerequisites);
  }

  /** What every grant and tag association must wait for: the account settings and LF-tags, when owned here. */
  public get accountPrerequisites(): readonly IDependable[] {
    return [...this.prerequisites];
  }

  /** A zone's database and registered location, for grants created in another stack (a shard's roles). */
  public administeredZone(zone: GovernedZone | string): AdministeredZone {
    const governed = typeof zone === 'string' ? this.props.zones.find((z) => z.name === zone) : zone;
    if (!governed) throw new Error(`${this.node.path}: no zone "${String(zone)}"`);
    return {
      name: governed.name,
      databaseName: governed.databaseName,
      bucketArn: governed.bucket.bucketArn,
      database: governed.database,
      location: this.node.tryFindChild(`${pascal(governed.name)}Location`),
    };
  }

  /** Tags a dataset's table (see {@link tagDatasetTable}). */
  private tagDataset(dataset: DatasetDefinition): void {
    const zone = this.props.zones.find((z) => z.name === dataset.zone);
    if (!zone) throw new Error(`${this.node.path}: dataset ${dataset.name} is in zone "${dataset.zone}", which is not governed here`);
    const table = this.props.tables.get(dataset.name);
    if (!table) throw new Error(`${this.node.path}: no table resource for dataset ${dataset.name}`);
    tagDatasetTable(this, dataset, { databaseName: zone.databaseName, resource: table, prerequisites: this.prerequisites });
  }

  /** Lake Formation admins: the CDK deployment role plus the configured ones. */
  private adminArns(): string[] {
    const synthesizer = Stack.of(this).synthesizer;
    const deploymentRole =
      synthesizer instanceof DefaultStackSynthesizer ? [Fn.sub(synthesizer.cloudFormationExecutionRoleArn)] : [];
    return [...deploymentRole, ...(this.props.admins ?? [])];
  }

  private after(resource: CfnResource): void {
    for (const prerequisite of this.prerequisites) resource.node.addDependency(prerequisite);
  }
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
