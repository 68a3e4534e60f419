import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import { denyGrantsExceptForAwsResources } from '../keys/key-policies';
import { acknowledgeProviderFramework, bundledHandlerCode, HANDLER_RUNTIME } from '../common';
import { ValidationReport } from '../common/validation-report';
import { validateCollections } from './collection-validation';
import { DEFAULT_COLLECTION, type VectorCollection } from './collections';
import type { VectorStoreEnvironment } from './connection-environment';
import { DEFAULT_MASTER_USERNAME, masterUsernameProblem } from './master-username';
import { roleNames, type RoleNames } from './migrations';
import { postgresEngineVersion, type RdsPostgresVersion } from './postgres-versions';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import { vpcLambdaRole } from '../compliance';

/**
 * Interface endpoints the bootstrap and the secret rotation call from an isolated VPC: Secrets Manager
 * (the handler's only SDK client, and the rotation function), Lambda (the provider framework invokes
 * the handlers) and Step Functions (the framework's onEvent function starts the isComplete waiter). A
 * test derives the SDK clients from handler.ts and checks this list covers them.
 */
export const VECTOR_STORE_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['secretsmanager', 'lambda', 'states'];

/** Properties of {@link VectorStore}. */
export interface VectorStoreProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the database and the bootstrap functions: isolated ones. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The VPC's range as a literal, for the bootstrap functions' HTTPS egress to the interface endpoints. */
  readonly vpcCidr: string;
  /** Interface endpoint of Secrets Manager; the rotation function reaches the service through it. */
  readonly secretsManagerEndpoint: ec2.IInterfaceVpcEndpoint;
  /**
   * Key for storage, Performance Insights and the secret. @default - a new key with rotation on
   */
  readonly databaseKey?: kms.IKey;
  /** Key of the pre-created log groups (their policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** RDS for PostgreSQL version, validated against the table of versions and the pgvector each ships.  @default '17.8' */
  readonly engineVersion?: RdsPostgresVersion;
  /** @default db.t4g.micro */
  readonly instanceType?: ec2.InstanceType;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling. @default 100 */
  readonly maxAllocatedStorageGiB?: number;
  /** @default true */
  readonly multiAz?: boolean;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** Automated backup retention (1-35 days). @default Duration.days(7) */
  readonly backupRetention?: Duration;
  /** What happens to the instance when it leaves the stack. @default RemovalPolicy.SNAPSHOT */
  readonly removalPolicy?: RemovalPolicy;
  /** A non-default port (cdk-nag RDS11). @default 5433 */
  readonly port?: number;
  /** @default 'vectors' */
  readonly databaseName?: string;
  /**
   * Master user name, validated against PostgreSQL's and RDS's reserved names. Changing it replaces
   * the instance: deployments created with `postgres` keep `postgres`.
   * @default 'lakehouse_admin'
   */
  readonly masterUsername?: string;
  /**
   * Instance identifier; fixed so that log groups can be created before the instance.
   * @default `<stack name>-<construct id>`, lowercased (RDS stores identifiers in lowercase), at most 63 characters
   */
  readonly instanceIdentifier?: string;
  /** How often the master secret rotates. @default Duration.days(30) */
  readonly rotationInterval?: Duration;
  /** @default [DEFAULT_COLLECTION] (document_embeddings, 1536 dims, cosine, HNSW) */
  readonly collections?: readonly VectorCollection[];
}

/**
 * The application roles the bootstrap creates (`<db>_readwrite`, `<db>_readonly`, and `<db>_privacy` for
 * the erasure workflow; roleNames in migrations.ts); all log in with IAM authentication (rds_iam).
 */
export type VectorDatabaseRole = keyof RoleNames;

/**
 * RDS for PostgreSQL with pgvector, bootstrapped by versioned SQL migrations: an encrypted gp3
 * instance with storage autoscaling in isolated subnets, a non-default port, IAM authentication, TLS
 * forced by the parameter group, logs exported to pre-created KMS-encrypted groups, Performance
 * Insights encrypted with the database key, enhanced monitoring, and a master secret in Secrets
 * Manager that rotates on a schedule. A custom resource creates the extension, the collections'
 * tables and indexes, a migrations ledger and two IAM-authenticated application roles; it never drops
 * data.
 */
export class VectorStore extends Construct {
  public readonly instance: rds.DatabaseInstance;
  public readonly databaseKey: kms.IKey;
  /** The master secret (username, password, host, port, dbname). */
  public readonly secret: secretsmanager.ISecret;
  public readonly securityGroup: ec2.SecurityGroup;
  /** Security group of the bootstrap functions: the database port and HTTPS to endpoints only. */
  public readonly bootstrapSecurityGroup: ec2.SecurityGroup;
  public readonly port: number;
  public readonly databaseName: string;
  /** The PostgreSQL roles consumers sign in as, derived from the database name as the migrations do. */
  public readonly roleNames: RoleNames;
  public readonly collections: readonly VectorCollection[];
  /** The bootstrap custom resource. */
  public readonly bootstrap: CustomResource;
  /** Name of the instance's DB subnet group (restores go back into it). */
  public readonly subnetGroupName: string;

  constructor(scope: Construct, id: string, props: VectorStoreProps) {
    super(scope, id);
    const port = props.port ?? 5433;
    const databaseName = props.databaseName ?? 'vectors';
    const instanceIdentifier = props.instanceIdentifier ?? defaultName(this, { maxLength: 63, separator: '-', lowercase: true });
    const collections = props.collections ?? [DEFAULT_COLLECTION];
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const version = postgresEngineVersion(props.engineVersion ?? '17.8');
    validateCollections(collections);
    if (port === 5432) throw new Error(`${this.node.path}: use a port other than PostgreSQL's default 5432 (cdk-nag RDS11)`);
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(databaseName)) throw new Error(`${this.node.path}: database name "${databaseName}" must be lowercase snake_case`);
    const allocated = props.allocatedStorageGiB ?? 20;
    const ceiling = props.maxAllocatedStorageGiB ?? 100;
    // RDS refuses a storage-autoscaling ceiling less than 10 % above the allocation ("Invalid max storage size").
    if (ceiling < Math.ceil((allocated * 11) / 10)) {
      throw new ValidationReport([
        {
          source: `VectorStore (${this.node.path})`,
          field: 'maxAllocatedStorageGiB',
          value: String(ceiling),
          allowed: `must be at least ${Math.ceil((allocated * 11) / 10)}, 10 % above allocatedStorageGiB (${allocated}): RDS refuses a lower autoscaling ceiling`,
        },
      ]);
    }
    this.port = port;
    this.databaseName = databaseName;
    this.roleNames = roleNames(databaseName);
    const masterUsername = props.masterUsername ?? DEFAULT_MASTER_USERNAME;
    const usernameProblem = masterUsernameProblem(masterUsername, Object.values(this.roleNames));
    if (usernameProblem) throw new Error(`${this.node.path}: masterUsername "${masterUsername}" ${usernameProblem}`);
    this.collections = collections;
    // Data and the key's removal follow the instance: only DESTROY deletes; SNAPSHOT and RETAIN keep.
    const keepOnRemoval = removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.databaseKey =
      props.databaseKey ??
      denyGrantsExceptForAwsResources(new kms.Key(this, 'DatabaseKey', { description: 'Vector store database', enableKeyRotation: true, removalPolicy: keepOnRemoval }));

    this.securityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: props.vpc,
      description: `Vector store database: PostgreSQL on ${port} from the bootstrap and rotation functions only`,
      allowAllOutbound: false,
    });
    this.bootstrapSecurityGroup = new ec2.SecurityGroup(this, 'BootstrapSecurityGroup', {
      vpc: props.vpc,
      description: 'Vector store bootstrap: the database port and HTTPS to the interface endpoints only',
      allowAllOutbound: false,
    });
    this.bootstrapSecurityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS to the interface endpoints');
    // Literal ports: the instance's own `connections` carry a token port, which cdk-nag cannot evaluate.
    this.bootstrapSecurityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(port), 'PostgreSQL');
    this.securityGroup.addIngressRule(this.bootstrapSecurityGroup, ec2.Port.tcp(port), 'PostgreSQL from the bootstrap functions');

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({ version }),
      description: 'Vector store: TLS only, connection and slow-query logging',
      parameters: {
        'rds.force_ssl': '1',
        password_encryption: 'scram-sha-256',
        log_connections: '1',
        log_disconnections: '1',
        log_lock_waits: '1',
        log_min_duration_statement: '1000',
        log_temp_files: '0',
        shared_preload_libraries: 'pg_stat_statements',
      },
    });

    // Pre-created so that they are encrypted and expire; RDS writes to them once exports are on.
    for (const log of ['postgresql', 'upgrade']) {
      new logs.LogGroup(this, `${log.charAt(0).toUpperCase()}${log.slice(1)}Logs`, {
        logGroupName: `/aws/rds/instance/${instanceIdentifier}/${log}`,
        encryptionKey: props.logsKey,
        retention,
        removalPolicy: keepOnRemoval,
      });
    }

    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: 'RDS enhanced monitoring of the vector store',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    Validations.of(monitoringRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy for RDS enhanced monitoring (compliance decisions in docs/decisions.md, IAM4 on AWS service-role policies).',
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version }),
      instanceIdentifier,
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      port,
      databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(masterUsername, { encryptionKey: this.databaseKey }),
      storageType: rds.StorageType.GP3,
      allocatedStorage: allocated,
      maxAllocatedStorage: ceiling,
      storageEncrypted: true,
      storageEncryptionKey: this.databaseKey,
      iamAuthentication: true,
      parameterGroup,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.databaseKey,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      monitoringInterval: Duration.seconds(60),
      monitoringRole,
      multiAz: props.multiAz ?? true,
      deletionProtection: props.deletionProtection ?? true,
      backupRetention: props.backupRetention ?? Duration.days(7),
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      removalPolicy,
    });
    this.secret = this.instance.secret!;
    // The secret follows the data: a snapshot or a retained instance is useless without its password.
    // `instance.secret` is the attachment; the generated secret itself is the instance's `Secret` child.
    (this.instance.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(keepOnRemoval);
    const subnetGroup = this.instance.node.findChild('SubnetGroup') as rds.SubnetGroup;
    this.subnetGroupName = subnetGroup.subnetGroupName;

    // Rotation through the hosted application, in the VPC, reaching Secrets Manager through its
    // endpoint and the database on its literal port.
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Vector store secret rotation: the database port and HTTPS to the interface endpoints',
      allowAllOutbound: false,
    });
    rotationSecurityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS to the interface endpoints');
    rotationSecurityGroup.addEgressRule(this.securityGroup, ec2.Port.tcp(port), 'PostgreSQL');
    this.securityGroup.addIngressRule(rotationSecurityGroup, ec2.Port.tcp(port), 'PostgreSQL from secret rotation');
    new secretsmanager.SecretRotation(this, 'Rotation', {
      application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
      secret: this.secret,
      target: { connections: new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) }) },
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup: rotationSecurityGroup,
      endpoint: props.secretsManagerEndpoint,
      automaticallyAfter: props.rotationInterval ?? Duration.days(30),
    });

    this.bootstrap = this.createBootstrap(props, retention, keepOnRemoval);
  }

  /** Lets `principal` connect as the `role` application role with IAM authentication (rds-db:connect). */
  public grantConnect(principal: iam.IGrantable, role: VectorDatabaseRole): iam.Grant {
    return this.instance.grantConnect(principal, this.roleNames[role]);
  }

  /** CPU utilisation, percent (Average). */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metricCPUUtilization({ statistic: 'Average', ...props });
  }

  /** Free storage, bytes (Minimum). */
  public metricFreeStorageSpace(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metricFreeStorageSpace({ statistic: 'Minimum', ...props });
  }

  /** Open connections (Maximum). */
  public metricDatabaseConnections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metricDatabaseConnections({ statistic: 'Maximum', ...props });
  }

  /** Freeable memory, bytes (Minimum). */
  public metricFreeableMemory(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metricFreeableMemory({ statistic: 'Minimum', ...props });
  }

  /** Transaction IDs used since the last freeze (Maximum); PostgreSQL stops writes near 2^31 (wraparound). */
  public metricMaximumUsedTransactionIds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.instance.metric('MaximumUsedTransactionIDs', { statistic: 'Maximum', ...props });
  }

  /** What a consumer needs in its environment to connect as `role` (libpq variable names). */
  public environment(role: VectorDatabaseRole): VectorStoreEnvironment {
    return {
      PGHOST: this.instance.dbInstanceEndpointAddress,
      PGPORT: String(this.port),
      PGDATABASE: this.databaseName,
      PGSSLMODE: 'verify-full',
      PGUSER: this.roleNames[role],
    };
  }

  private createBootstrap(props: VectorStoreProps, retention: logs.RetentionDays, logRemoval: RemovalPolicy): CustomResource {
    const stack = Stack.of(this);
    const logGroup = (id: string) => new logs.LogGroup(this, id, { encryptionKey: props.logsKey, retention, removalPolicy: logRemoval });
    const vpcRole = (id: string, description: string) => vpcLambdaRole(this, id, description);

    const role = vpcRole('BootstrapRole', 'Vector store bootstrap: reads the master secret, runs migrations');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [this.secret.secretArn] }));
    // The secret's key lives with the database; decrypt only through Secrets Manager.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.databaseKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
      }),
    );
    const deadLetters = new sqs.Queue(this, 'BootstrapDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const code = bundledHandlerCode(__dirname, 'handler');
    const bootstrapFunction = (id: string, handler: string, description: string) =>
      new lambda.Function(this, id, {
        description,
        runtime: HANDLER_RUNTIME,
        handler,
        code,
        role,
        timeout: Duration.minutes(14),
        memorySize: 256,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups: [this.bootstrapSecurityGroup],
        logGroup: logGroup(`${id}Logs`),
        deadLetterQueue: deadLetters,
        reservedConcurrentExecutions: 2,
      });
    const onEvent = bootstrapFunction('BootstrapOnEvent', 'index.onEvent', 'Vector store bootstrap: applies migrations (never drops data)');
    const isComplete = bootstrapFunction('BootstrapIsComplete', 'index.isComplete', 'Vector store bootstrap: builds vector indexes concurrently');

    const frameworkOnEventRole = vpcRole('FrameworkOnEventRole', 'Provider framework of the vector store bootstrap (onEvent)');
    const frameworkCompleteRole = vpcRole('FrameworkCompleteRole', 'Provider framework of the vector store bootstrap (isComplete, timeout)');
    const provider = new cr.Provider(this, 'BootstrapProvider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.minutes(1),
      totalTimeout: Duration.hours(2),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.bootstrapSecurityGroup],
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkCompleteRole,
      logGroup: logGroup('ProviderLogs'),
      // Execution logging of the waiter is off unless asked for (aws-cdk-lib's default).
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: logGroup('WaiterLogs'), level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeProviderFramework(provider, [onEvent, isComplete], [frameworkOnEventRole, frameworkCompleteRole]);

    const resource = new CustomResource(this, 'Bootstrap', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::VectorStoreBootstrap',
      properties: {
        Collections: stack.toJsonString(this.collections),
        SecretArn: this.secret.secretArn,
        DatabaseName: this.databaseName,
      },
      // Delete does nothing in the handler; RETAIN also keeps CloudFormation from sending one on replacement.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    resource.node.addDependency(this.instance);
    return resource;
  }
}
