import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig, PersonaConfig } from '../../config/schema';
import { LakehouseCatalog } from '../../constructs/catalog';
import type { DatasetDefinition } from '../../constructs/datasets';
import { LakeGovernance } from '../../constructs/governance';
import { ENGINEERING_WORKGROUP, glueDatabasePrefix, workgroupName } from '../naming';
import { statefulRemoval } from '../removal';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';

export interface CatalogStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The base shard's datasets: their tables live here. */
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  readonly network: NetworkStack;
}

/**
 * Glue databases and tables, Athena workgroups, Lake Formation settings, tags and grants, and the
 * persona roles. Databases and Iceberg tables are retained outside dev: deleting a database deletes
 * every table in it.
 */
export class CatalogStack extends Stack {
  public readonly catalog: LakehouseCatalog;
  public readonly governance: LakeGovernance;
  /** Persona roles by persona name (created, or imported by ARN). */
  public readonly personaRoles = new Map<string, iam.IRole>();
  /** Workgroup for the platform's own automation (Iceberg DDL; data quality and ELT later). */
  public readonly engineeringWorkgroup: string;
  /** The account's catalog key (ours, or the owning environment's); every catalog reader needs it. */
  public readonly catalogKey: kms.IKey;

  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { config, datasets, storage, network } = props;
    const lake = storage.storage;
    const owns = config.governance.ownsAccountSettings;
    this.engineeringWorkgroup = workgroupName(config.project, config.name, ENGINEERING_WORKGROUP);
    // The account's catalog key: ours when this environment owns the settings, the owner's otherwise.
    const catalogKey = owns
      ? storage.keys.catalogKey
      : kms.Key.fromKeyArn(this, 'AccountCatalogKey', config.governance.accountCatalogKeyArn!);
    this.catalogKey = catalogKey;

    this.catalog = new LakehouseCatalog(this, 'Catalog', {
      databaseNamePrefix: glueDatabasePrefix(config.project, config.name),
      zoneBuckets: lake.zoneBuckets,
      datasets,
      resultsBucket: lake.athenaResultsBucket,
      resultsKey: lake.encryptionKey,
      workgroupNames: [
        this.engineeringWorkgroup,
        ...config.governance.personas.map((persona) => workgroupName(config.project, config.name, persona.name)),
      ],
      bytesScannedCutoffPerQuery: config.catalog.bytesScannedCutoffMb * 1_000_000,
      catalogKey,
      encryptCatalog: owns,
      iceberg: {
        vpc: network.network.vpc,
        vpcSubnets: network.network.workloadSubnets,
        workgroupName: this.engineeringWorkgroup,
        logsKey: storage.logsKey,
        logRetention: config.logRetentionDays as logs.RetentionDays,
      },
      removalPolicy: removal.removalPolicy,
    });

    this.governance = new LakeGovernance(this, 'Governance', {
      zones: lake.zoneNames.map((zone) => ({
        name: zone,
        bucket: lake.bucket(zone),
        databaseName: this.catalog.databaseName(zone),
        database: this.catalog.databases.get(zone)!,
      })),
      datasets,
      tables: this.catalog.tables,
      lakeKey: lake.encryptionKey,
      domains: config.catalog.domains,
      ownsAccountSettings: owns,
      admins: config.governance.lakeFormationAdmins,
      hybridAccess: config.governance.hybridAccess,
    });

    const iceberg = this.catalog.icebergTables;
    if (iceberg) {
      const zones = new Set(datasets.filter((dataset) => dataset.format === 'iceberg').map((dataset) => dataset.zone));
      for (const zone of zones) {
        for (const grant of this.governance.grantTableAdministration(iceberg.role, zone)) iceberg.addPrerequisite(grant);
      }
    }

    for (const persona of config.governance.personas) {
      this.addPersona(persona, workgroupName(config.project, config.name, persona.name));
    }
  }

  /** A persona's role (created, or imported by ARN), its workgroup grant and its Lake Formation grant. */
  private addPersona(persona: PersonaConfig, workgroup: string): void {
    const id = persona.name
      .split('_')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('');
    const role = persona.roleArn
      ? iam.Role.fromRoleArn(this, `${id}Role`, persona.roleArn, { mutable: true })
      : new iam.Role(this, `${id}Role`, {
          assumedBy: personaTrust(persona),
          description: `Lakehouse persona ${persona.name}: queries through its own Athena workgroup`,
        });
    this.personaRoles.set(persona.name, role);
    // Glue read on each zone's `table/<database>/*` covers the tables of every shard, present and future.
    this.catalog.grantRunQueries(role, workgroup, { zones: persona.zones });
    this.governance.grantPersona({
      name: persona.name,
      role,
      zones: persona.zones,
      excludeClassifications: persona.excludeClassifications,
      write: persona.write,
    });
  }
}

/**
 * Who may assume a persona role: the account, narrowed by `aws:PrincipalArn` to the configured roles
 * (ArnLike, so IAM Identity Center's generated role suffixes can be matched with `*`), and optionally
 * by MFA and a principal tag. With no trusted principals (dev only: the schema requires them
 * elsewhere) every principal of the account whose IAM policy allows sts:AssumeRole may assume it.
 */
export function personaTrust(persona: PersonaConfig): iam.IPrincipal {
  const conditions: Record<string, Record<string, unknown>> = {};
  if (persona.trustedPrincipals.length > 0) conditions.ArnLike = { 'aws:PrincipalArn': persona.trustedPrincipals };
  if (persona.requireMfa) conditions.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
  if (persona.principalTag) conditions.StringEquals = { [`aws:PrincipalTag/${persona.principalTag.key}`]: persona.principalTag.value };
  const account = new iam.AccountRootPrincipal();
  return Object.keys(conditions).length > 0 ? account.withConditions(conditions) : account;
}
