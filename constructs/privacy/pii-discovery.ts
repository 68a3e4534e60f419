import { Aws, CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as macie from 'aws-cdk-lib/aws-macie';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { acknowledgeProviderFramework } from '../common/provider-compliance';
import { bundledHandlerCode, HANDLER_RUNTIME } from '../common/bundled-code';
import { renderValue, ValidationReport, type ValidationProblem } from '../common/validation-report';
import { vpcLambdaRole } from '../compliance/vpc-lambda-role';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import {
  DISCOVERY_SCHEDULES,
  FINDING_PUBLISHING_FREQUENCIES,
  FINDING_SEVERITIES,
  MAX_JOB_BUCKETS,
  type DiscoverySchedule,
  type FindingPublishingFrequency,
  type FindingSeverity,
} from './audit-limits';
import { allowMacieToDecrypt } from './audit-key-policies';
import type { ClassificationJobSpec } from './discovery-job/spec';
import { piiFindingPattern, PiiFindingsRoute } from './pii-findings';

/**
 * Interface endpoints the job function and its provider framework call from an isolated VPC: Macie
 * (the handler's only SDK client) and Lambda (the framework invokes the handler).
 */
export const PII_DISCOVERY_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['macie', 'lambda'];

/** Properties of {@link PiiDiscovery}. */
export interface PiiDiscoveryProps {
  /** The buckets to scan (the lake's zone buckets); 1-1000, in this stack's account and region. */
  readonly buckets: readonly s3.IBucket[];
  /** VPC the job function and the Provider framework run in (they reach Macie and Lambda through its endpoints). */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Key for the functions' log groups (its policy must admit CloudWatch Logs). */
  readonly logsKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Removal policy of the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Create the account's Macie session (`AWS::Macie::Session`). Set false where Macie is already enabled,
   * for example by an Organizations delegated administrator: creating a session there fails.
   * @default true
   */
  readonly manageMacieSession?: boolean;
  /** How often Macie publishes updates of existing findings (only with a managed session). @default 'FIFTEEN_MINUTES' */
  readonly findingPublishingFrequency?: FindingPublishingFrequency;
  /** How often the classification job runs (weekly: Mondays; monthly: the 1st). @default 'weekly' */
  readonly schedule?: DiscoverySchedule;
  /** Percentage of eligible objects each run analyses (1-100). @default 10 */
  readonly samplingPercentage?: number;
  /** Findings of this severity or higher match `findingPattern`. @default 'Medium' */
  readonly minimumSeverity?: FindingSeverity;
  /** Name of the classification job, to which Macie's copy adds 8 hex digits of the spec (a new name creates a new job). @default `<stack name>-pii-discovery` */
  readonly jobName?: string;
  /**
   * Add the statement that lets Macie's service-linked role decrypt to the policy of each bucket's key
   * (see `allowMacieToDecrypt`). Keys must then be owned by this app; with false, add it yourself.
   * @default true
   */
  readonly grantKeyAccess?: boolean;
  /**
   * Send matching findings to this topic from a rule inside this construct. Leave it out when the topic
   * lives in a stack deployed after this one, and place a `PiiFindingsRoute` there instead.
   * @default - no rule here
   */
  readonly alarmTopic?: sns.ITopic;
}

/** The Lambda timeout: Macie's job API answers in seconds; a minute leaves room for SDK retries. */
const FUNCTION_TIMEOUT = Duration.minutes(1);

/**
 * PII discovery with Amazon Macie: the account's Macie session (unless an administrator manages it), a
 * scheduled classification job over the given buckets with Macie's recommended managed data identifiers,
 * the key-policy statements that let Macie read objects under customer-managed keys, and the pattern of
 * the findings that matter (optionally routed to an alarm topic).
 *
 * CloudFormation has no classification-job resource, so the job is a custom resource; Macie cannot change
 * a job, so a changed schedule, sampling or bucket list creates a new job and cancels the old one.
 * Refuses, at synth, an empty or oversized bucket list, a sampling percentage outside 1-100, unknown
 * schedules, frequencies or severities, and imported keys it cannot admit Macie to.
 */
export class PiiDiscovery extends Construct {
  /** The Macie session, when this construct manages it. */
  public readonly session?: macie.CfnSession;
  /** The classification job (custom resource); its `ref` is the Macie job ID. */
  public readonly job: CustomResource;
  /** The job's specification as rendered into the custom resource. */
  public readonly jobSpec: ClassificationJobSpec;
  /** The job function: creates, replaces and cancels the job. */
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  /** The Provider framework's own role. */
  public readonly frameworkRole: iam.Role;
  /** Security group of both functions (HTTPS out only). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Findings about these buckets at or above the minimum severity, for an EventBridge rule. */
  public readonly findingPattern: events.EventPattern;
  /** The rule to the alarm topic, when `alarmTopic` is given. */
  public readonly findingsRoute?: PiiFindingsRoute;

  constructor(scope: Construct, id: string, props: PiiDiscoveryProps) {
    super(scope, id);
    const problems = piiDiscoveryProblems(props, this.node.path);
    if (problems.length > 0) throw new ValidationReport(problems);
    const stack = Stack.of(this);
    const manageSession = props.manageMacieSession ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const minimumSeverity = props.minimumSeverity ?? 'Medium';

    if (manageSession) {
      this.session = new macie.CfnSession(this, 'Session', {
        status: 'ENABLED',
        findingPublishingFrequency: props.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
      });
      // Deleting the session disables Macie for the whole account and region, findings and other jobs
      // included: a config change (handing the session to another environment, turning discovery off) must
      // not do that. Retained like every stateful resource; disabling Macie is a deliberate manual step.
      this.session.applyRemovalPolicy(removalPolicy);
    }

    if (props.grantKeyAccess ?? true) {
      const keys = [...new Set(props.buckets.map((bucket) => bucket.encryptionKey).filter((key): key is kms.IKey => key !== undefined))];
      const imported = keys.filter((key) => !allowMacieToDecrypt(key));
      if (imported.length > 0) {
        throw new ValidationReport([
          {
            source: `PiiDiscovery ${this.node.path}`,
            field: 'buckets[].encryptionKey',
            value: `${imported.length} imported key(s)`,
            allowed: "must be keys this app owns, so Macie's service-linked role can be admitted to their policies; or set grantKeyAccess: false and add allowMacieToDecrypt's statement to those keys yourself",
          },
        ]);
      }
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Macie job functions: HTTPS out only (interface endpoints)',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through endpoints');
    const logGroup = (logId: string) => new logs.LogGroup(this, logId, { encryptionKey: props.logsKey, retention, removalPolicy });

    this.role = vpcLambdaRole(this, 'FunctionRole', 'PII discovery: creates, replaces and cancels the Macie classification job');
    // Job IDs are generated by Macie, so the job ARNs are only known as a pattern (docs/decisions.md).
    // Pseudo parameters, not the stack's literal account and region: the acknowledged finding ID stays the same in every environment.
    const jobArns = `arn:${Aws.PARTITION}:macie2:${Aws.REGION}:${Aws.ACCOUNT_ID}:classification-job/*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['macie2:CreateClassificationJob', 'macie2:DescribeClassificationJob', 'macie2:UpdateClassificationJob'],
        resources: [jobArns],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:macie2:<AWS::Region>:<AWS::AccountId>:classification-job/*]`,
      reason:
        'Macie generates a classification job ID at creation, so the role cannot name its job in advance; the wildcard is this ' +
        "account's classification jobs in this region, for creating, describing and cancelling them only (docs/decisions.md).",
    });

    const deadLetters = new sqs.Queue(this, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.function = new lambda.Function(this, 'Function', {
      description: 'Creates, replaces and cancels the Macie classification job of PII discovery',
      runtime: HANDLER_RUNTIME,
      handler: 'index.handler',
      code: bundledHandlerCode(join(__dirname, 'discovery-job'), 'handler'),
      role: this.role,
      timeout: FUNCTION_TIMEOUT,
      memorySize: 256,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      logGroup: logGroup('FunctionLogs'),
      deadLetterQueue: deadLetters,
      reservedConcurrentExecutions: 2,
    });

    this.frameworkRole = vpcLambdaRole(this, 'FrameworkRole', 'Provider framework of the PII discovery job custom resource');
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      frameworkOnEventRole: this.frameworkRole,
      logGroup: logGroup('ProviderLogs'),
    });
    acknowledgeProviderFramework(provider, [this.function], [this.frameworkRole]);

    this.jobSpec = {
      name: props.jobName ?? `${stack.stackName}-pii-discovery`,
      description: 'PII discovery over the lake zone buckets (Lakehouse Blueprint)',
      accountId: stack.account,
      buckets: props.buckets.map((bucket) => bucket.bucketName),
      schedule: props.schedule ?? 'weekly',
      samplingPercentage: props.samplingPercentage ?? 10,
    };
    this.job = new CustomResource(this, 'Job', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MacieClassificationJob',
      properties: { Spec: stack.toJsonString(this.jobSpec) },
    });
    // Macie must be enabled before a job can be created, and the job cancelled before Macie is disabled.
    if (this.session) this.job.node.addDependency(this.session);

    this.findingPattern = piiFindingPattern(this.jobSpec.buckets, minimumSeverity);
    if (props.alarmTopic) this.findingsRoute = new PiiFindingsRoute(this, 'Findings', { pattern: this.findingPattern, topic: props.alarmTopic });
  }

  /** The Macie classification job ID. */
  public get jobId(): string {
    return this.job.ref;
  }
}

/** Every problem of PiiDiscovery's props (values CloudFormation or Macie would refuse at deploy). */
export function piiDiscoveryProblems(props: PiiDiscoveryProps, path: string): ValidationProblem[] {
  const source = `PiiDiscovery ${path}`;
  const problems: ValidationProblem[] = [];
  const add = (field: string, value: unknown, allowed: string) => problems.push({ source, field, value: renderValue(value), allowed });
  const buckets = (props.buckets as readonly s3.IBucket[] | undefined) ?? [];
  if (buckets.length < 1 || buckets.length > MAX_JOB_BUCKETS) add('buckets', `${buckets.length} buckets`, `must list 1-${MAX_JOB_BUCKETS} buckets (Macie's limit per job)`);
  const names = buckets.map((bucket) => bucket.bucketName);
  names.forEach((name, index) => {
    if (!Token.isUnresolved(name) && names.indexOf(name) !== index) add(`buckets[${index}]`, name, 'is listed twice');
  });
  const sampling = props.samplingPercentage;
  if (sampling !== undefined && !(Number.isInteger(sampling) && sampling >= 1 && sampling <= 100)) add('samplingPercentage', sampling, 'must be a whole number from 1 to 100');
  if (props.schedule !== undefined && !(DISCOVERY_SCHEDULES as readonly string[]).includes(props.schedule)) add('schedule', props.schedule, `must be one of ${DISCOVERY_SCHEDULES.join(', ')}`);
  const frequency = props.findingPublishingFrequency;
  if (frequency !== undefined && !(FINDING_PUBLISHING_FREQUENCIES as readonly string[]).includes(frequency)) add('findingPublishingFrequency', frequency, `must be one of ${FINDING_PUBLISHING_FREQUENCIES.join(', ')}`);
  if (frequency !== undefined && props.manageMacieSession === false) add('findingPublishingFrequency', frequency, 'has no effect without manageMacieSession: the administrator who enabled Macie sets it; remove it');
  if (props.minimumSeverity !== undefined && !(FINDING_SEVERITIES as readonly string[]).includes(props.minimumSeverity)) add('minimumSeverity', props.minimumSeverity, `must be one of ${FINDING_SEVERITIES.join(', ')}`);
  if (props.jobName !== undefined && !Token.isUnresolved(props.jobName) && !/^[A-Za-z0-9_.:-]{1,400}$/.test(props.jobName)) {
    add('jobName', props.jobName, 'must be 1-400 letters, digits, "_", ".", ":" or "-"');
  }
  return problems;
}
