import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundledHandlerCode, HANDLER_RUNTIME } from '../common';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { acknowledgeResourceWildcard, vpcLambdaRole } from '../compliance';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import {
  BACKUP_METRIC_NAMESPACE,
  RECOVERY_POINT_AGE_METRIC,
  RESOURCE_DIMENSION,
  RESOURCE_TYPE_DIMENSION,
  RESTORE_DURATION_METRIC,
  RESTORE_VALIDATION_FAILED_METRIC,
  type ProtectedResource,
} from './recovery-metrics';

/**
 * Interface endpoints the two functions call from an isolated VPC: Backup (recovery points, restore
 * jobs), CloudWatch (metrics) and RDS (the restored instance). S3 goes through the gateway endpoint.
 */
export const RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['backup', 'monitoring', 'rds'];

/** How often the recovery-point age is measured; the RPO alarm's period. */
export const RECOVERY_POINT_CHECK_MINUTES = 15;

const RESOURCE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Properties of {@link RecoveryEvidence}. */
export interface RecoveryEvidenceProps {
  /** The vault whose recovery points and restores are evidence. */
  readonly vault: backup.IBackupVault;
  /** The resources the RPO covers, each with a short unique name (the metric dimension). */
  readonly protectedResources: readonly ProtectedResource[];
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Key for the functions' log groups (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** Keys restored S3 objects are encrypted with (the validation reads one object). @default none */
  readonly restoredDataKeys?: readonly kms.IKey[];
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Evidence for the recovery objectives, as metrics the monitoring construct alarms on:
 * - every 15 minutes a function measures, per protected resource, the age of its newest usable recovery
 *   point in the vault (`RecoveryPointAgeMinutes`; RPO);
 * - on every AWS Backup restore job state change a function records the restore's duration
 *   (`RestoreDurationMinutes`; RTO), validates the restored copy and reports the result to AWS Backup for
 *   restore tests (`RestoreValidationFailed`).
 * Both functions run in the VPC with their own roles, a security group sending HTTPS only, KMS-encrypted
 * log groups, dead-letter queues and reserved concurrency. It creates no alarm (monitoring does).
 */
export class RecoveryEvidence extends Construct {
  public readonly recoveryPointAgeFunction: lambda.Function;
  public readonly restoreEvidenceFunction: lambda.Function;
  public readonly recoveryPointAgeRole: iam.Role;
  public readonly restoreEvidenceRole: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The 15-minute schedule and the restore-job rule. */
  public readonly scheduleRule: events.Rule;
  public readonly restoreJobRule: events.Rule;
  /** The protected resources, as given. */
  public readonly protectedResources: readonly ProtectedResource[];

  constructor(scope: Construct, id: string, props: RecoveryEvidenceProps) {
    super(scope, id);
    checkResources(this.node.path, props.protectedResources);
    this.protectedResources = props.protectedResources;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Recovery evidence functions: HTTPS out only (interface endpoints, S3 gateway endpoint)',
      allowAllOutbound: false,
    });
    // S3's addresses are a regional prefix list that cannot be named offline, hence any IPv4 on 443.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');

    const role = (roleId: string, description: string) => {
      const created = vpcLambdaRole(this, roleId, description);
      // PutMetricData has no resource-level permissions; the condition keeps it to this namespace.
      created.addToPolicy(
        new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': BACKUP_METRIC_NAMESPACE } } }),
      );
      return created;
    };
    const fn = (fnId: string, folder: string, description: string, fnRole: iam.Role, environment?: Record<string, string>) =>
      new lambda.Function(this, fnId, {
        description,
        runtime: HANDLER_RUNTIME,
        handler: 'index.handler',
        code: bundledHandlerCode(`${__dirname}/${folder}`, 'handler'),
        role: fnRole,
        timeout: Duration.minutes(2),
        memorySize: 256,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups: [this.securityGroup],
        logGroup: new logs.LogGroup(this, `${fnId}Logs`, { encryptionKey: props.logsKey, retention, removalPolicy }),
        deadLetterQueue: new sqs.Queue(this, `${fnId}DeadLetters`, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) }),
        reservedConcurrentExecutions: 2,
        environment,
      });

    this.recoveryPointAgeRole = role('RecoveryPointAgeRole', 'Recovery-point age: lists the vault\'s recovery points, publishes their age');
    this.recoveryPointAgeRole.addToPolicy(new iam.PolicyStatement({ actions: ['backup:ListRecoveryPointsByBackupVault'], resources: [props.vault.backupVaultArn] }));
    acknowledgeResourceWildcard(this.recoveryPointAgeRole, ['cloudwatch:PutMetricData'], PUT_METRIC_REASON);
    this.recoveryPointAgeFunction = fn('RecoveryPointAge', 'recovery-point-age', 'Publishes the age of the newest recovery point of each protected resource', this.recoveryPointAgeRole, {
      VAULT_NAME: props.vault.backupVaultName,
      PROTECTED_RESOURCES: Stack.of(this).toJsonString(props.protectedResources),
    });

    this.restoreEvidenceRole = role('RestoreEvidenceRole', 'Restore evidence: restore duration, validation of the restored copy');
    const restoreJobActions = ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'];
    this.restoreEvidenceRole.addToPolicy(new iam.PolicyStatement({ actions: restoreJobActions, resources: ['*'] }));
    acknowledgeResourceWildcard(
      this.restoreEvidenceRole,
      [...restoreJobActions, 'cloudwatch:PutMetricData'],
      `Restore jobs are not an IAM resource type of AWS Backup, so ${restoreJobActions.join(' and ')} take "*". ${PUT_METRIC_REASON}`,
    );
    // The restored copy is created by AWS Backup under a name it chooses at restore time: read-only
    // access to buckets and instances of this account, nothing else.
    const account = { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } };
    this.restoreEvidenceRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [`arn:${Aws.PARTITION}:s3:::*`], conditions: account }));
    this.restoreEvidenceRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::*/*`], conditions: account }));
    this.restoreEvidenceRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['rds:DescribeDBInstances'], resources: [`arn:${Aws.PARTITION}:rds:${Aws.REGION}:${Aws.ACCOUNT_ID}:db:*`] }),
    );
    for (const key of props.restoredDataKeys ?? []) {
      this.restoreEvidenceRole.addToPolicy(
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } } }),
      );
    }
    const restoredReason =
      'AWS Backup names a restored bucket or instance itself at restore time, so its ARN cannot be written in advance; read-only, ' +
      'this account only (compliance decisions in docs/decisions.md, IAM5 on the copies a restore creates).';
    for (const resource of ['arn:<AWS::Partition>:s3:::*', 'arn:<AWS::Partition>:s3:::*/*', 'arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:db:*']) {
      Validations.of(this.restoreEvidenceRole).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: restoredReason });
    }
    this.restoreEvidenceFunction = fn('RestoreEvidence', 'restore-evidence', 'Records restore duration and validates restored copies', this.restoreEvidenceRole);

    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: 'Measures the age of the newest recovery point of each protected resource',
      schedule: events.Schedule.rate(Duration.minutes(RECOVERY_POINT_CHECK_MINUTES)),
      targets: [new targets.LambdaFunction(this.recoveryPointAgeFunction, { retryAttempts: 2, maxEventAge: Duration.minutes(RECOVERY_POINT_CHECK_MINUTES) })],
    });
    // Every state change, unfiltered: the handler reads the job back (DescribeRestoreJob) and acts only on
    // finished ones, so the rule does not depend on whether the event names the field `status` or `state`.
    this.restoreJobRule = new events.Rule(this, 'RestoreJobs', {
      description: 'AWS Backup restore job state changes: restore duration and validation',
      eventPattern: { source: ['aws.backup'], detailType: ['Restore Job State Change'] },
      targets: [new targets.LambdaFunction(this.restoreEvidenceFunction, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
  }

  /** Minutes since the newest usable recovery point of the resource named `name`, every 15 minutes (Maximum). */
  public metricRecoveryPointAge(name: string): cloudwatch.Metric {
    if (!this.protectedResources.some((resource) => resource.name === name)) throw new Error(`${this.node.path}: no protected resource "${name}"`);
    return new cloudwatch.Metric({
      namespace: BACKUP_METRIC_NAMESPACE,
      metricName: RECOVERY_POINT_AGE_METRIC,
      dimensionsMap: { [RESOURCE_DIMENSION]: name },
      statistic: 'Maximum',
      period: Duration.minutes(RECOVERY_POINT_CHECK_MINUTES),
      label: `${name}: newest recovery point age (min)`,
    });
  }

  /** Restore duration in minutes for one resource type (`S3`, `RDS`), the longest per hour. */
  public metricRestoreDuration(resourceType: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: BACKUP_METRIC_NAMESPACE,
      metricName: RESTORE_DURATION_METRIC,
      dimensionsMap: { [RESOURCE_TYPE_DIMENSION]: resourceType },
      statistic: 'Maximum',
      period: Duration.hours(1),
      label: `${resourceType}: restore duration (min)`,
    });
  }

  /** 1 per restore of `resourceType` that failed or whose copy did not validate (Maximum per hour). */
  public metricRestoreValidationFailed(resourceType: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: BACKUP_METRIC_NAMESPACE,
      metricName: RESTORE_VALIDATION_FAILED_METRIC,
      dimensionsMap: { [RESOURCE_TYPE_DIMENSION]: resourceType },
      statistic: 'Maximum',
      period: Duration.hours(1),
      label: `${resourceType}: restore failed or not validated`,
    });
  }

  /** Resource types of the protected resources, as AWS Backup names them (`S3`, `RDS`). */
  public get resourceTypes(): string[] {
    return [...new Set(this.protectedResources.map((resource) => resource.type))];
  }
}

const PUT_METRIC_REASON =
  `cloudwatch:PutMetricData has no resource-level permissions; the statement is conditioned on the ${BACKUP_METRIC_NAMESPACE} namespace.`;

function checkResources(path: string, resources: readonly ProtectedResource[]): void {
  const problems: ValidationProblem[] = [];
  const source = `RecoveryEvidence (${path})`;
  if (resources.length === 0) problems.push({ source, field: 'protectedResources', value: '[]', allowed: 'must name at least one resource: the RPO covers something' });
  const seen = new Set<string>();
  resources.forEach((resource, index) => {
    if (!RESOURCE_NAME.test(resource.name)) {
      problems.push({ source, field: `protectedResources[${index}].name`, value: renderValue(resource.name), allowed: 'must be 1-64 letters, digits, ".", "_" or "-" (a metric dimension and part of alarm IDs)' });
    } else if (seen.has(resource.name)) {
      problems.push({ source, field: `protectedResources[${index}].name`, value: renderValue(resource.name), allowed: 'is used twice; each resource needs its own name' });
    }
    seen.add(resource.name);
    if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(resource.type)) {
      problems.push({ source, field: `protectedResources[${index}].type`, value: renderValue(resource.type), allowed: 'must be an AWS Backup resource type such as S3 or RDS' });
    }
  });
  if (problems.length > 0) throw new ValidationReport(problems);
}
