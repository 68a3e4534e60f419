import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { acknowledgeProviderFramework, bundledHandlerCode, HANDLER_RUNTIME } from '../../common';
import { acknowledgeObjectArnWildcards, acknowledgeResourceWildcard } from '../../compliance';
import { dataPrefix, tableLocation, type DatasetDefinition } from '../../datasets';
import { resultsPrefix } from '../athena-workgroup';
import { icebergTableSpec } from './ddl';
import { IcebergTableUpkeep } from './table-upkeep';
import type { InterfaceEndpointName } from '../../network/interface-endpoints';

/**
 * Interface endpoints the DDL function and its provider framework call from an isolated VPC: Athena
 * (the handler's only SDK client) and Lambda (the framework invokes the handler). S3 goes through the
 * gateway endpoint. A test derives the SDK clients from handler.ts and checks this list covers them.
 */
export const ICEBERG_DDL_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['athena', 'lambda'];

/** Properties of {@link IcebergTables}. */
export interface IcebergTablesProps {
  /** VPC the DDL function and the Provider framework run in (they reach AWS through its endpoints). */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Athena workgroup the DDL runs in (its enforced settings decide result location and encryption). */
  readonly workgroupName: string;
  /** Results bucket and key of that workgroup. */
  readonly resultsBucket: s3.IBucket;
  readonly resultsKey: kms.IKey;
  /** Catalog key, when the Glue Data Catalog is encrypted. @default none */
  readonly catalogKey?: kms.IKey;
  /** Key for the functions' log groups (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The Lambda timeout: above the handler's own 10-minute DDL deadline, below Lambda's 15-minute cap. */
const FUNCTION_TIMEOUT = Duration.minutes(14);

/**
 * Iceberg tables created and evolved with Athena DDL (docs/architecture.md, "Iceberg tables belong to Iceberg"):
 * a CloudFormation update of an Iceberg table's Glue definition would strip `table_type` and
 * `metadata_location`, so these tables are custom resources. Create runs `CREATE TABLE IF NOT EXISTS`,
 * update adds columns (anything else is refused), delete leaves the table and its data in place.
 *
 * One function and one Provider serve every table. Both run in the VPC with a security group that
 * only sends HTTPS, their own roles, pre-created KMS-encrypted log groups, and (for the function) a
 * dead-letter queue and reserved concurrency.
 */
export class IcebergTables extends Construct {
  /** The DDL function. */
  public readonly function: lambda.Function;
  /** The function's role; it needs Lake Formation grants on the databases it creates tables in. */
  public readonly role: iam.Role;
  /** The Provider framework's own role. */
  public readonly frameworkRole: iam.Role;
  /** Security group of both functions. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Table resources by dataset name. */
  public readonly tables = new Map<string, CustomResource>();
  /** Compaction, snapshot expiry and orphan-file removal of every table (Glue table optimizers). */
  public readonly upkeep: IcebergTableUpkeep;

  private readonly provider: cr.Provider;
  private readonly props: IcebergTablesProps;
  private readonly prerequisites: IDependable[] = [];

  constructor(scope: Construct, id: string, props: IcebergTablesProps) {
    super(scope, id);
    this.props = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const stack = Stack.of(this);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Iceberg DDL functions: HTTPS out only (interface endpoints, S3 gateway endpoint)',
      allowAllOutbound: false,
    });
    // Isolated subnets reach nothing but the interface endpoints and S3 through the gateway endpoint;
    // S3's addresses are a regional prefix list that cannot be named offline, hence any IPv4 on 443.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');

    this.upkeep = new IcebergTableUpkeep(this, 'Upkeep', { catalogKey: props.catalogKey });

    const logGroup = (logId: string) => new logs.LogGroup(this, logId, { encryptionKey: props.logsKey, retention, removalPolicy });

    this.role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Iceberg DDL: runs CREATE TABLE and ALTER TABLE ADD COLUMNS through Athena',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    const deadLetters = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'Creates and evolves Iceberg tables with Athena DDL (never drops them)',
      runtime: HANDLER_RUNTIME,
      handler: 'index.handler',
      code: bundledHandlerCode(__dirname, 'handler'),
      role: this.role,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      logGroup: logGroup('FunctionLogs'),
      deadLetterQueue: deadLetters,
      reservedConcurrentExecutions: 5,
      environment: { ICEBERG_DDL_TIMEOUT_MS: String(10 * 60 * 1000) },
    });

    this.frameworkRole = new iam.Role(this, 'FrameworkRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Provider framework of the Iceberg DDL custom resource',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      frameworkOnEventRole: this.frameworkRole,
      logGroup: logGroup('ProviderLogs'),
    });

    const vpcPolicyReason =
      'AWSLambdaVPCAccessExecutionRole is the AWS-maintained policy for Lambda ENIs in a VPC; its ENI actions need "*" ' +
      '(compliance decisions in docs/decisions.md, IAM4 on AWS service-role policies).';
    for (const role of [this.role, this.frameworkRole]) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: vpcPolicyReason,
      });
    }
    acknowledgeProviderFramework(this.provider, [this.function], [this.frameworkRole]);

    const workgroupArn = `arn:${stack.partition}:athena:${stack.region}:${stack.account}:workgroup/${props.workgroupName}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [workgroupArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [props.resultsBucket.bucketArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [props.resultsBucket.arnForObjects(`${resultsPrefix(props.workgroupName)}*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [props.resultsKey.keyArn],
      }),
    );
    if (props.catalogKey) {
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [props.catalogKey.keyArn] }));
    }
    // Lake Formation vends the data credentials for registered locations; the action has no resource-level permissions.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    acknowledgeResourceWildcard(
      this.role,
      ['lakeformation:GetDataAccess'],
      'lakeformation:GetDataAccess supports no resource-level permissions (resource must be "*"); Lake Formation ' +
        'decides per table which data the DDL may write.',
    );
    acknowledgeObjectArnWildcards(
      this.role,
      'Object ARNs cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): query results under ' +
        "the workgroup's own prefix, and each Iceberg table's own folder.",
    );
  }

  /** Resources every table must wait for (for example the function role's Lake Formation grants). */
  public addPrerequisite(dependable: IDependable): void {
    this.prerequisites.push(dependable);
    for (const table of this.tables.values()) table.node.addDependency(dependable);
  }

  /** Creates (and from then on evolves) the Iceberg table of `dataset` in `database`, under its folder of `bucket`. */
  public addTable(dataset: DatasetDefinition, database: { readonly name: string; readonly resource: IDependable }, bucket: s3.IBucket): CustomResource {
    const stack = Stack.of(this);
    const spec = icebergTableSpec(dataset, { database: database.name, location: tableLocation(dataset, bucket.bucketName) });
    const arn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'],
        resources: [arn('catalog'), arn(`database/${database.name}`), arn(`table/${database.name}/${dataset.name}`)],
      }),
    );
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [bucket.bucketArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [bucket.arnForObjects(`${dataPrefix(dataset)}*`)],
      }),
    );
    if (bucket.encryptionKey) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [bucket.encryptionKey.keyArn] }),
      );
    }
    const table = new CustomResource(this, `${pascal(dataset.name)}Table`, {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::IcebergTable',
      properties: { Spec: stack.toJsonString(spec), WorkGroup: this.props.workgroupName },
      // Deleting the resource never drops the table (the handler ignores Delete); RETAIN also keeps
      // CloudFormation from sending a Delete on replacement.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.node.addDependency(database.resource);
    for (const prerequisite of this.prerequisites) table.node.addDependency(prerequisite);
    this.tables.set(dataset.name, table);
    this.upkeep.addTable(dataset, database.name, bucket, table);
    return table;
  }
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
