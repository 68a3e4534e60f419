import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, type IDependable } from 'constructs';
import { defaultName } from '../common/default-name';
import { acknowledgeGlueTableWildcards, acknowledgeObjectArnWildcards, acknowledgeResourceWildcard } from '../compliance';
import { dataPrefix, type DatasetDefinition } from '../datasets';
import { createWorkgroup, MIN_BYTES_SCANNED_CUTOFF, resultsPrefix } from './athena-workgroup';
import { IcebergTables } from './iceberg';
import { createParquetTable } from './parquet-table';
import { namedQueries } from './queries';

/** Properties of {@link LakehouseCatalog}. */
export interface LakehouseCatalogProps {
  /**
   * Prefix of database names: `<prefix>_<zone>`, lowercase letters, digits and underscores (e.g. `lakehouse_prod`).
   * @default `<stack name>_<construct id>`, lowercased with underscores (e.g. `analytics_stack_catalog`)
   */
  readonly databaseNamePrefix?: string;
  /** Zone buckets by zone name; one Glue database per zone, located at its bucket. */
  readonly zoneBuckets: ReadonlyMap<string, s3.IBucket>;
  /** Datasets to catalog. Parquet datasets become CloudFormation tables with partition projection. */
  readonly datasets: readonly DatasetDefinition[];
  /** Bucket for Athena results; each workgroup writes under its own prefix. */
  readonly resultsBucket: s3.IBucket;
  /** Key that encrypts query results (SSE_KMS). */
  readonly resultsKey: kms.IKey;
  /**
   * Workgroup names to create (e.g. one per persona).
   * @default one workgroup, `<stack name>-<construct id>`, so that queries and Iceberg DDL have somewhere to run
   */
  readonly workgroupNames?: readonly string[];
  /**
   * Athena cancels queries scanning more than this many bytes.
   * @default 10 GiB
   */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Add the product's named queries over `events` (daily and monthly active users, stickiness, 7-day
   * retention, a funnel, feature adoption) to every workgroup, when an `events` dataset is cataloged.
   * @default true
   */
  readonly namedQueries?: boolean;
  /**
   * Key that encrypts the Glue Data Catalog. Given: readers of the catalog are granted it. With
   * `encryptCatalog`, this construct also turns on catalog encryption for the account and region.
   * @default - catalog not encrypted by this construct, no key grants
   */
  readonly catalogKey?: kms.IKey;
  /**
   * Define the account-wide Glue Data Catalog encryption settings here (SSE-KMS with `catalogKey`,
   * connection passwords encrypted). Exactly one stack per account and region may.
   * @default false
   */
  readonly encryptCatalog?: boolean;
  /**
   * Required when any dataset is Iceberg: its tables are created by Athena DDL from a function in the VPC.
   * @default - no Iceberg support (an Iceberg dataset is refused)
   */
  readonly iceberg?: IcebergDdlProps;
  /**
   * Removal policy of the databases (deleting a database deletes every table in it, Iceberg included).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Where and how Iceberg tables' DDL runs. */
export interface IcebergDdlProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Workgroup the DDL runs in; must be one of `workgroupNames`. @default the first of `workgroupNames` */
  readonly workgroupName?: string;
  /** Key of the functions' log groups. */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/** What a query principal may reach. */
export interface RunQueriesOptions {
  /**
   * Zones whose tables the principal may read in the catalog. @default every zone
   */
  readonly zones?: readonly string[];
  /**
   * Also grant IAM read on the tables' S3 prefixes and the lake key. Leave off when Lake Formation
   * governs the lake: Athena then reads data with credentials Lake Formation vends after checking
   * column permissions, and direct S3 read would let the principal bypass those checks.
   * @default false
   */
  readonly directS3Access?: boolean;
  /**
   * Datasets whose S3 prefixes `directS3Access` names, when some of them are cataloged by another
   * construct (tables in other stacks). Only those in `zones` are named. Glue read is per zone
   * (`table/<database>/*`) either way.
   * @default this catalog's datasets
   */
  readonly datasets?: readonly DatasetDefinition[];
}

/** Default per-query scan cutoff (10 GiB). */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/**
 * The lake's catalog and query layer: a Glue database per zone (located at the zone's bucket), a
 * Glue table per Parquet dataset derived from its contract (partition projection, no crawlers), Athena
 * workgroups with enforced, encrypted settings, and optionally the account's catalog encryption.
 */
export class LakehouseCatalog extends Construct {
  /** Glue databases by zone. */
  public readonly databases: ReadonlyMap<string, glue.CfnDatabase>;
  /** Glue tables of Parquet datasets, by dataset name. */
  public readonly parquetTables: ReadonlyMap<string, glue.CfnTable>;
  /** Iceberg tables (custom resources), when any dataset is Iceberg. */
  public readonly icebergTables?: IcebergTables;
  /** Athena workgroups by name. */
  public readonly workgroups: ReadonlyMap<string, athena.CfnWorkGroup>;
  /** Named queries, in every workgroup. */
  public readonly namedQueries: athena.CfnNamedQuery[] = [];
  /** The account-wide catalog encryption settings, when this construct owns them. */
  public readonly encryptionSettings?: glue.CfnDataCatalogEncryptionSettings;
  /** Datasets in this catalog. */
  public readonly datasets: readonly DatasetDefinition[];

  /** Prefix of the database names (`<prefix>_<zone>`). */
  public readonly databaseNamePrefix: string;

  private readonly props: LakehouseCatalogProps;

  constructor(scope: Construct, id: string, props: LakehouseCatalogProps) {
    super(scope, id);
    this.props = props;
    this.databaseNamePrefix = props.databaseNamePrefix ?? defaultName(this, { maxLength: 64, separator: '_', lowercase: true });
    this.datasets = props.datasets;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const cutoff = props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF;
    if (!/^[a-z][a-z0-9_]*$/.test(this.databaseNamePrefix)) {
      throw new Error(`${this.node.path}: databaseNamePrefix "${this.databaseNamePrefix}" must be lowercase letters, digits and underscores`);
    }
    if (cutoff < MIN_BYTES_SCANNED_CUTOFF) {
      throw new Error(`${this.node.path}: bytesScannedCutoffPerQuery must be at least ${MIN_BYTES_SCANNED_CUTOFF} (Athena minimum)`);
    }
    if (props.encryptCatalog && !props.catalogKey) {
      throw new Error(`${this.node.path}: encryptCatalog needs catalogKey`);
    }
    for (const dataset of props.datasets) {
      if (!props.zoneBuckets.has(dataset.zone)) {
        throw new Error(`${this.node.path}: dataset ${dataset.name} is in zone "${dataset.zone}", which has no bucket here`);
      }
    }
    const account = Stack.of(this).account;

    if (props.encryptCatalog && props.catalogKey) {
      this.encryptionSettings = new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
        catalogId: account,
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: props.catalogKey.keyArn },
          connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, kmsKeyId: props.catalogKey.keyArn },
        },
      });
    }

    const databases = new Map<string, glue.CfnDatabase>();
    for (const [zone, bucket] of props.zoneBuckets) {
      const database = new glue.CfnDatabase(this, `${pascal(zone)}Database`, {
        catalogId: account,
        databaseInput: {
          name: this.databaseName(zone),
          description: `Lakehouse ${zone} zone`,
          locationUri: `s3://${bucket.bucketName}/`,
        },
      });
      database.applyRemovalPolicy(removalPolicy);
      if (this.encryptionSettings) database.node.addDependency(this.encryptionSettings);
      databases.set(zone, database);
    }
    this.databases = databases;

    const parquetTables = new Map<string, glue.CfnTable>();
    for (const dataset of props.datasets.filter((d) => d.format === 'parquet')) {
      const table = createParquetTable(
        this,
        `${pascal(dataset.name)}Table`,
        dataset,
        this.databaseName(dataset.zone),
        props.zoneBuckets.get(dataset.zone)!,
      );
      table.node.addDependency(databases.get(dataset.zone)!);
      parquetTables.set(dataset.name, table);
    }
    this.parquetTables = parquetTables;

    const workgroupNames = props.workgroupNames ?? [defaultName(this, { maxLength: 128, separator: '-' })];
    const icebergWorkgroup = props.iceberg?.workgroupName ?? workgroupNames[0];
    const icebergDatasets = props.datasets.filter((d) => d.format === 'iceberg');
    if (icebergDatasets.length > 0) {
      if (!props.iceberg) throw new Error(`${this.node.path}: Iceberg datasets (${icebergDatasets.map((d) => d.name).join(', ')}) need the iceberg prop`);
      if (!workgroupNames.includes(icebergWorkgroup)) {
        throw new Error(`${this.node.path}: iceberg.workgroupName "${icebergWorkgroup}" is not one of workgroupNames`);
      }
      this.icebergTables = new IcebergTables(this, 'Iceberg', {
        ...props.iceberg,
        workgroupName: icebergWorkgroup,
        resultsBucket: props.resultsBucket,
        resultsKey: props.resultsKey,
        catalogKey: props.catalogKey,
        removalPolicy,
      });
      for (const dataset of icebergDatasets) {
        this.icebergTables.addTable(
          dataset,
          { name: this.databaseName(dataset.zone), resource: databases.get(dataset.zone)! },
          props.zoneBuckets.get(dataset.zone)!,
        );
      }
    }

    const workgroups = new Map<string, athena.CfnWorkGroup>();
    for (const name of workgroupNames) {
      workgroups.set(
        name,
        createWorkgroup(this, `${pascal(name)}Workgroup`, {
          name,
          resultsBucket: props.resultsBucket,
          resultsKey: props.resultsKey,
          bytesScannedCutoffPerQuery: cutoff,
          recursiveDelete: removalPolicy === RemovalPolicy.DESTROY,
        }),
      );
    }
    this.workgroups = workgroups;
    if (this.icebergTables) this.icebergTables.addPrerequisite(workgroups.get(icebergWorkgroup)!);

    const events = props.datasets.find((dataset) => dataset.name === 'events' && dataset.format === 'parquet');
    if ((props.namedQueries ?? true) && events) {
      for (const [name, workgroup] of workgroups) {
        for (const query of namedQueries(this.databaseName(events.zone))) {
          const named = new athena.CfnNamedQuery(this, `${pascal(name)}${pascal(query.name)}Query`, {
            name: query.name,
            description: query.description,
            database: this.databaseName(events.zone),
            queryString: query.sql,
            workGroup: workgroup.name,
          });
          named.node.addDependency(workgroup);
          named.node.addDependency(parquetTables.get('events')!);
          this.namedQueries.push(named);
        }
      }
    }
  }

  /** Every table resource by dataset name: CloudFormation tables and Iceberg custom resources. */
  public get tables(): ReadonlyMap<string, IDependable> {
    return new Map<string, IDependable>([...this.parquetTables, ...(this.icebergTables?.tables ?? [])]);
  }

  /**
   * Wall time of successful DML queries in `workgroup`, milliseconds (p95 by default). Athena publishes it
   * because the workgroups have CloudWatch metrics on.
   */
  public metricQueryExecutionTime(workgroup: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.athenaMetric(workgroup, 'SUCCEEDED', { statistic: 'p95', ...props });
  }

  /** Failed queries in `workgroup` (SampleCount of TotalExecutionTime for QueryState FAILED). */
  public metricFailedQueries(workgroup: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.athenaMetric(workgroup, 'FAILED', { statistic: 'SampleCount', ...props });
  }

  private athenaMetric(workgroup: string, queryState: 'SUCCEEDED' | 'FAILED', props: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.workgroups.has(workgroup)) throw new Error(`${this.node.path}: no workgroup "${workgroup}"`);
    return new cloudwatch.Metric({
      namespace: 'AWS/Athena',
      metricName: 'TotalExecutionTime',
      dimensionsMap: { WorkGroup: workgroup, QueryState: queryState, QueryType: 'DML' },
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** `<prefix>_<zone>`. */
  public databaseName(zone: string): string {
    return `${this.databaseNamePrefix}_${zone}`;
  }

  /** The dataset's database and table name, for queries: `lakehouse_prod_raw.events`. */
  public qualifiedTableName(datasetName: string): string {
    const dataset = this.dataset(datasetName);
    return `${this.databaseName(dataset.zone)}.${dataset.name}`;
  }

  public dataset(name: string): DatasetDefinition {
    const dataset = this.datasets.find((d) => d.name === name);
    if (!dataset) throw new Error(`${this.node.path}: no dataset "${name}"; datasets are ${this.datasets.map((d) => d.name).join(', ')}`);
    return dataset;
  }

  /**
   * Lets `principal` run queries in `workgroup`: Athena on that workgroup only, Glue read on the
   * catalog, the zones' databases and every table in them (`table/<database>/*`), read and write of the
   * workgroup's result prefix, the results key, the catalog key, and `lakeformation:GetDataAccess`
   * (Athena's path to governed data). The principal's Lake Formation grant is the governance
   * construct's (`LakeGovernance.grantPersona`).
   */
  public grantRunQueries(principal: iam.IGrantable, workgroup: string, options: RunQueriesOptions = {}): void {
    if (!this.workgroups.has(workgroup)) {
      throw new Error(`${this.node.path}: no workgroup "${workgroup}"; workgroups are ${[...this.workgroups.keys()].join(', ')}`);
    }
    const zones = options.zones ?? [...this.props.zoneBuckets.keys()];
    for (const zone of zones) {
      if (!this.props.zoneBuckets.has(zone)) throw new Error(`${this.node.path}: no zone "${zone}"`);
    }
    const stack = Stack.of(this);
    const arn = (service: string, resource: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
    const add = (actions: string[], resourceArns: string[], conditions?: Record<string, unknown>) =>
      principal.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: resourceArns, conditions }));

    add(
      [
        'athena:StartQueryExecution',
        'athena:StopQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:GetQueryResultsStream',
        'athena:BatchGetQueryExecution',
        'athena:ListQueryExecutions',
        'athena:GetWorkGroup',
        'athena:GetNamedQuery',
        'athena:BatchGetNamedQuery',
        'athena:ListNamedQueries',
      ],
      [arn('athena', `workgroup/${workgroup}`)],
    );

    // One `table/<database>/*` per zone, not one ARN per table: the policy stays the same size however
    // many datasets the zones hold (IAM caps a role's inline policies at 10,240 characters, about 70
    // tables when named), and a table added later needs no policy change. Lake Formation's LF-tag grants
    // (LakeGovernance.grantPersona) decide which tables and columns the principal sees.
    add(
      ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      [
        arn('glue', 'catalog'),
        ...zones.map((zone) => arn('glue', `database/${this.databaseName(zone)}`)),
        ...zones.map((zone) => arn('glue', `table/${this.databaseName(zone)}/*`)),
      ],
    );

    const results = this.props.resultsBucket;
    add(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], [results.bucketArn], {
      StringLike: { 's3:prefix': [`${resultsPrefix(workgroup)}*`, ''] },
    });
    add(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      [results.arnForObjects(`${resultsPrefix(workgroup)}*`)],
    );
    add(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [this.props.resultsKey.keyArn]);
    if (this.props.catalogKey) add(['kms:Decrypt', 'kms:DescribeKey'], [this.props.catalogKey.keyArn]);

    // GetDataAccess has no resource-level permissions: Lake Formation decides per table and column.
    add(['lakeformation:GetDataAccess'], ['*']);
    acknowledgeQueryGrantFindings(principal);

    if (options.directS3Access) {
      // Direct S3 reads bypass Lake Formation, so here IAM is the only gate and must name each table's
      // prefix: this part grows per table, which is why personas never ask for it.
      const tables = (options.datasets ?? this.datasets).filter((dataset) => zones.includes(dataset.zone));
      for (const zone of zones) {
        const bucket = this.props.zoneBuckets.get(zone)!;
        const prefixes = tables.filter((dataset) => dataset.zone === zone).map(dataPrefix);
        add(['s3:GetBucketLocation', 's3:ListBucket'], [bucket.bucketArn], { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } });
        add(['s3:GetObject'], prefixes.map((p) => bucket.arnForObjects(`${p}*`)));
      }
    }
  }
}

/**
 * The IAM5 findings `grantRunQueries` creates by design, acknowledged at the principal's role: object
 * ARNs of the workgroup's result prefix (and of table prefixes with direct S3 access), Glue
 * `table/<database>/*` of each granted zone, and `*` for
 * `lakeformation:GetDataAccess`, which has no resource-level permissions.
 */
function acknowledgeQueryGrantFindings(principal: iam.IGrantable): void {
  const role = principal.grantPrincipal;
  if (!(role instanceof Construct)) return;
  acknowledgeObjectArnWildcards(
    role,
    'Object ARNs cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): query results under ' +
      "this workgroup's own prefix of the results bucket, and, with direct S3 access, the granted tables' prefixes.",
  );
  acknowledgeGlueTableWildcards(
    role,
    'Glue table ARNs cannot name tables that do not exist yet (compliance decisions in docs/decisions.md, IAM5 on Glue ' +
      "table ARNs): each wildcard is one zone's database, for catalog reads only; Lake Formation's LF-tag grants decide per table and column what the caller sees.",
  );
  acknowledgeResourceWildcard(
    role,
    ['lakeformation:GetDataAccess'],
    'lakeformation:GetDataAccess supports no resource-level permissions (resource must be "*"); Lake Formation ' +
      "itself decides per table and column which data the caller's credentials may reach.",
  );
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
