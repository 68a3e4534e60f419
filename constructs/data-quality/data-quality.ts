import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledHandlerCode, HANDLER_RUNTIME } from '../common';
import { assertScheduleExpression } from '../common/validators/schedule-expression';
import { acknowledgeObjectArnWildcards, acknowledgeResourceWildcard, vpcLambdaRole } from '../compliance';
import type { DatasetDefinition } from '../datasets';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import { CONTRACTS_FILE_NAME, CONTRACTS_FILE_PATH, contractsFileText } from './contracts-file';
import { DIMENSION_NAMES, ENVIRONMENT_VARIABLES, METRIC_NAMES } from './names';
import { qualityChecks, type QualityCheck } from './rules';
import { checkWindow, compileQualityQuery, HISTORY_TABLE } from './sql';
import { LINEAGE_TABLE } from '../lineage/sql';

/**
 * Interface endpoints the checks function calls from an isolated VPC: Athena (queries), Glue (the
 * contract in each table's parameters) and CloudWatch metrics (PutMetricData). A test derives the SDK
 * clients from handler.ts and checks this list covers them.
 */
export const DATA_QUALITY_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['athena', 'glue', 'monitoring'];

/** A dataset whose table the checks read, and the database it is in. */
export interface CheckedDataset {
  readonly dataset: DatasetDefinition;
  readonly databaseName: string;
}

/** Properties of {@link DataQuality}. */
export interface DataQualityProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The VPC's range as a literal, for HTTPS egress to the interface endpoints. */
  readonly vpcCidr: string;
  /**
   * Datasets to check. Parquet tables carry their contract in `lakehouse.contract`; Iceberg tables cannot
   * (Athena accepts no custom table properties), so their contracts ship with the function as a layer.
   */
  readonly datasets: readonly CheckedDataset[];
  /** Database of the `data_quality_results` history table. */
  readonly historyDatabase: string;
  /** Workgroup the checks run in. */
  readonly workgroupName: string;
  readonly resultsBucket: s3.IBucket;
  readonly resultsKey: kms.IKey;
  /** Key of the analytics bucket (the history table's data). */
  readonly historyKey?: kms.IKey;
  /** Catalog key, when the Data Catalog is encrypted. */
  readonly catalogKey?: kms.IKey;
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Environment name, a metric dimension. @default the stack's name */
  readonly environment?: string;
  /** @default events.Schedule.rate(Duration.hours(1)) */
  readonly schedule?: events.Schedule;
  /** @default 'Lakehouse/DataQuality' */
  readonly metricNamespace?: string;
  /** @default RemovalPolicy.RETAIN (log group) */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Record each run as an OpenLineage event in this `lineage` table (constructs/lineage); the role gets
   * the Glue update its Iceberg commit needs (Lake Formation INSERT is the caller's grant, as for the
   * history table). @default runs are not recorded
   */
  readonly lineage?: { readonly databaseName: string; readonly jobNamespace: string };
}

export const DEFAULT_QUALITY_NAMESPACE = 'Lakehouse/DataQuality';

/**
 * Data-quality checks compiled from the dataset contracts: a scheduled function reads each table's
 * contract from the Glue catalog, runs one Athena query per dataset over the partitions under test,
 * publishes a metric per check, appends the results to the history table, and fails the invocation
 * (never reporting success) when a query failed, was cancelled or timed out. In the VPC, with its own
 * role, a dead-letter queue for the scheduled (asynchronous) invocations, one concurrent run at a time.
 */
export class DataQuality extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly schedule: events.Rule;
  public readonly metricNamespace: string;
  public readonly datasets: readonly CheckedDataset[];
  /** Whether each run records an OpenLineage event (the `lineage` prop): `metricLineageFailed` then exists. */
  public readonly recordsLineage: boolean;
  /** The contracts of the Iceberg datasets (`/opt/lakehouse-contracts.json`); absent when none is checked. */
  public readonly contractsLayer?: lambda.LayerVersion;
  private readonly environment: string;

  constructor(scope: Construct, id: string, props: DataQualityProps) {
    super(scope, id);
    this.recordsLineage = props.lineage !== undefined;
    const stack = Stack.of(this);
    this.metricNamespace = props.metricNamespace ?? DEFAULT_QUALITY_NAMESPACE;
    this.datasets = props.datasets;
    this.environment = props.environment ?? Stack.of(this).stackName;
    for (const { dataset, databaseName } of props.datasets) {
      // The function compiles the same query from the deployed contract; compiling it here fails the
      // synth, not the first scheduled run, when a rule cannot be turned into SQL.
      compileQualityQuery(dataset, { database: databaseName, window: checkWindow(dataset, 0) });
    }
    const databases = [...new Set(props.datasets.map((d) => d.databaseName))];

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Data-quality checks: HTTPS to the interface endpoints only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS to the interface endpoints');

    this.role = vpcLambdaRole(this, 'Role', 'Data-quality checks: read contracts, run Athena queries, publish metrics, append history');
    this.grantChecks(props, databases);

    const iceberg = props.datasets.filter((entry) => entry.dataset.format === 'iceberg');
    if (iceberg.length > 0) {
      this.contractsLayer = new lambda.LayerVersion(this, 'Contracts', {
        description: 'Contracts of the Iceberg tables the data-quality checks read (they carry no custom table properties)',
        code: lambda.Code.fromAsset(contractsAsset(iceberg.map((entry) => ({ database: entry.databaseName, table: entry.dataset.name, contract: entry.dataset })))),
        compatibleRuntimes: [HANDLER_RUNTIME],
      });
    }

    this.function = new lambda.Function(this, 'Function', {
      description: 'Data-quality checks compiled from the dataset contracts, run on Athena',
      runtime: HANDLER_RUNTIME,
      handler: 'index.handler',
      code: bundledHandlerCode(__dirname, 'handler'),
      role: this.role,
      timeout: Duration.minutes(14),
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [securityGroup],
      logGroup: new logs.LogGroup(this, 'Logs', {
        encryptionKey: props.logsKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      }),
      deadLetterQueue: new sqs.Queue(this, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) }),
      reservedConcurrentExecutions: 1,
      layers: this.contractsLayer ? [this.contractsLayer] : undefined,
      // Scheduled runs are asynchronous: a failed run is retried once, then lands in the DLQ.
      retryAttempts: 1,
      environment: {
        [ENVIRONMENT_VARIABLES.workGroup]: props.workgroupName,
        [ENVIRONMENT_VARIABLES.tables]: stack.toJsonString(props.datasets.map((d) => ({ database: d.databaseName, table: d.dataset.name }))),
        [ENVIRONMENT_VARIABLES.historyDatabase]: props.historyDatabase,
        [ENVIRONMENT_VARIABLES.metricNamespace]: this.metricNamespace,
        [ENVIRONMENT_VARIABLES.environment]: this.environment,
        ...(props.lineage
          ? { [ENVIRONMENT_VARIABLES.lineageDatabase]: props.lineage.databaseName, [ENVIRONMENT_VARIABLES.lineageJobNamespace]: props.lineage.jobNamespace }
          : {}),
        ...(this.contractsLayer ? { [ENVIRONMENT_VARIABLES.contractsFile]: CONTRACTS_FILE_PATH } : {}),
      },
    });

    const schedule = props.schedule ?? events.Schedule.rate(Duration.hours(1));
    assertScheduleExpression(`DataQuality (${this.node.path})`, 'schedule', schedule.expressionString);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Data-quality checks of every contract',
      schedule,
      targets: [new targets.LambdaFunction(this.function)],
    });
  }

  /** The checks of `dataset`, as the function derives them from the same contract. */
  public checks(dataset: DatasetDefinition): QualityCheck[] {
    return qualityChecks(dataset);
  }

  /** The measured value of one check (Maximum per hour). */
  public metricCheckValue(dataset: string, check: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.checkValue, { [DIMENSION_NAMES.dataset]: dataset, [DIMENSION_NAMES.check]: check }, props);
  }

  /** 1 when the check failed, 0 when it passed (Maximum per hour). */
  public metricCheckFailed(dataset: string, check: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.checkFailed, { [DIMENSION_NAMES.dataset]: dataset, [DIMENSION_NAMES.check]: check }, props);
  }

  /** 1 when the dataset's query failed, was cancelled or timed out (Maximum per hour). */
  public metricQueryFailed(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.queryFailed, { [DIMENSION_NAMES.dataset]: dataset }, props);
  }

  /** Age of the newest record, seconds (Maximum per hour). */
  public metricFreshness(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.freshnessSeconds, { [DIMENSION_NAMES.dataset]: dataset }, props);
  }

  /** 1 when a run's lineage event could not be recorded (Maximum per hour; absent without `lineage`). */
  public metricLineageFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.lineageFailed, {}, props);
  }

  /** Rows in the checked partitions (Maximum per hour). */
  public metricRowCount(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_NAMES.rowCount, { [DIMENSION_NAMES.dataset]: dataset }, props);
  }

  private metric(metricName: string, dimensions: Record<string, string>, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName,
      dimensionsMap: { [DIMENSION_NAMES.environment]: this.environment, ...dimensions },
      statistic: 'Maximum',
      period: Duration.hours(1),
      ...props,
    });
  }

  private grantChecks(props: DataQualityProps, databases: readonly string[]): void {
    const stack = Stack.of(this);
    const glueArn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    const add = (statement: iam.PolicyStatementProps) => this.role.addToPolicy(new iam.PolicyStatement(statement));
    const workgroupArn = `arn:${stack.partition}:athena:${stack.region}:${stack.account}:workgroup/${props.workgroupName}`;
    add({ actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'], resources: [workgroupArn] });
    add({
      // GetTable per listed table (never GetTables, which needs every table of the database).
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resources: [
        glueArn('catalog'),
        ...databases.map((db) => glueArn(`database/${db}`)),
        ...props.datasets.map((d) => glueArn(`table/${d.databaseName}/${d.dataset.name}`)),
      ],
    });
    // Appending to the Iceberg history (and lineage) table updates its metadata pointer in Glue.
    const appended = [
      { databaseName: props.historyDatabase, table: HISTORY_TABLE },
      ...(props.lineage ? [{ databaseName: props.lineage.databaseName, table: LINEAGE_TABLE }] : []),
    ];
    add({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:UpdateTable'],
      resources: [
        glueArn('catalog'),
        ...new Set(appended.map(({ databaseName }) => glueArn(`database/${databaseName}`))),
        ...appended.map(({ databaseName, table }) => glueArn(`table/${databaseName}/${table}`)),
      ],
    });
    const results = props.resultsBucket;
    add({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [results.bucketArn] });
    add({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [results.arnForObjects(`${props.workgroupName}/*`)] });
    const keys = [props.resultsKey.keyArn, ...(props.historyKey ? [props.historyKey.keyArn] : [])];
    add({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [...new Set(keys)] });
    if (props.catalogKey) add({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [props.catalogKey.keyArn] });
    // Neither action has resource-level permissions; PutMetricData is limited to the checks' namespace.
    add({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] });
    add({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': this.metricNamespace } } });
    acknowledgeResourceWildcard(
      this.role,
      ['cloudwatch:PutMetricData', 'lakeformation:GetDataAccess'],
      'cloudwatch:PutMetricData (limited here by the cloudwatch:namespace condition) and lakeformation:GetDataAccess support ' +
        'no resource-level permissions; Lake Formation decides per table what the queries may read.',
    );
    acknowledgeObjectArnWildcards(
      this.role,
      "Object ARNs cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): query results under the workgroup's own prefix.",
    );
  }
}

/**
 * A folder holding only the contracts file, named by its content's hash (so the asset is stable and two
 * apps in one process never share a folder with different contents).
 */
function contractsAsset(entries: Parameters<typeof contractsFileText>[0]): string {
  const text = contractsFileText(entries);
  const folder = join(tmpdir(), 'lakehouse-blueprint-contracts', createHash('sha256').update(text).digest('hex').slice(0, 16));
  mkdirSync(folder, { recursive: true });
  // Written next to the file and renamed over it: concurrent synths (test workers) never read half a file.
  const partial = join(folder, `.${process.pid}.partial`);
  writeFileSync(partial, text);
  renameSync(partial, join(folder, CONTRACTS_FILE_NAME));
  return folder;
}
