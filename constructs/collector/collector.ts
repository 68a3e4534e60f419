import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { HANDLER_RUNTIME } from '../common/bundled-code';
import { ValidationReport } from '../common/validation-report';
import type { DatasetDefinition } from '../datasets/model';
import type { InterfaceEndpointName } from '../network/interface-endpoints';
import { collectorCode } from './asset';
import { COLLECTOR_METRICS, COLLECTOR_NAMESPACE, SOURCE_DIMENSION } from './metrics';
import { collectorProblems } from './props-validation';
import { DEFAULT_COLLECTOR_LIMITS, DEFAULT_KEY_CACHE_SECONDS, SETTINGS_FILE_ENV, SETTINGS_FILE_NAME, type CollectorLimits, type CollectorPrivacy, type CollectorSettings } from './settings';
import { CollectorWebAcl } from './web-acl';
import { vpcLambdaRole } from '../compliance';

/** Interface endpoints the handler calls from an isolated VPC: Kinesis (PutRecords) and Secrets Manager (write keys). */
export const COLLECTOR_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = ['kinesis-streams', 'secretsmanager'];

/**
 * The tracking API's endpoints, each `POST /v1/<name>`: Segment's HTTP Tracking API (with `import`, its older
 * name for `batch`), and the one-letter paths Segment's browser SDK posts to (`t` track, `i` identify, `p`
 * page, `s` screen, `g` group, `a` alias, `b` batch). The handler routes the same list (runtime/collector.ts).
 */
export const COLLECTOR_ENDPOINTS = ['track', 'identify', 'page', 'screen', 'batch', 'alias', 'group', 'import', 't', 'i', 'p', 's', 'g', 'a', 'b'] as const;

/** A dataset the collector writes: its contract (the event schema) and its stream (name known at synth). */
export interface CollectorTarget {
  readonly definition: DatasetDefinition;
  readonly stream: kinesis.IStream;
}

export interface CollectorSourceProps {
  /** Lowercase letters, digits and hyphens: the `Source` metric dimension. */
  readonly name: string;
  /** The secret holding the source's hashed write keys (write-key-document.ts); its ARN or name must be known at synth. */
  readonly writeKeySecret: secretsmanager.ISecret;
  /** Names of the datasets (of `datasets`) the source may write. */
  readonly datasets: readonly string[];
}

export interface CollectorThrottling {
  /** Steady requests per second, for the stage and each method. @default 1000 */
  readonly rateLimit?: number;
  /** Burst above the rate. @default 2000 */
  readonly burstLimit?: number;
}

export interface CollectorWaf {
  /** Requests one IP may send per 5 minutes. @default 6000 */
  readonly requestsPerIpPer5Minutes?: number;
  /** AWS managed common and known-bad-inputs rule sets. @default true */
  readonly managedRules?: boolean;
}

export interface CollectorCustomDomain {
  readonly domainName: string;
  /** An ACM certificate in the stack's region covering domainName. */
  readonly certificate: acm.ICertificate;
}

/** Properties of {@link EventCollector}. */
export interface EventCollectorProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The VPC's range as a literal, for HTTPS egress to the interface endpoints. */
  readonly vpcCidr: string;
  /** Stream-ingested datasets the collector may write. */
  readonly datasets: readonly CollectorTarget[];
  /** The dataset rejected events go to (stream-ingested, raw zone; see config/datasets/collector-quarantine.ts). */
  readonly quarantine: CollectorTarget;
  readonly sources: readonly CollectorSourceProps[];
  /** The key the streams are encrypted with (the function needs GenerateDataKey to write). */
  readonly streamKey: kms.IKey;
  /** Key of the function's, the stage's and the web ACL's log groups. */
  readonly logsKey: kms.IKey;
  /** Browser origins allowed by CORS (`https://host[:port]`). @default none: no OPTIONS methods */
  readonly allowedOrigins?: readonly string[];
  /** @default 32768 / 512000 / 2500 (the maxima) */
  readonly limits?: Partial<CollectorLimits>;
  /** @default ip 'truncate', keepUserAgent false */
  readonly privacy?: Partial<CollectorPrivacy>;
  /** @default 300 */
  readonly keyCacheSeconds?: number;
  readonly throttling?: CollectorThrottling;
  readonly waf?: CollectorWaf;
  /** Concurrent executions reserved for the handler (also its ceiling). @default 50 */
  readonly reservedConcurrency?: number;
  /** A regional custom domain (TLS 1.2 minimum); the execute-api endpoint is then disabled. @default none */
  readonly customDomain?: CollectorCustomDomain;
  /**
   * Create the account's API Gateway CloudWatch role (an account-wide setting) so that execution logs
   * can be written. Exactly one stack per account and region should; others rely on it. @default true
   */
  readonly accountLogRole?: boolean;
  /** Name of the API and prefix of the web ACL's metrics and log group (1-100 of letters, digits, `_.-`). @default the stack name */
  readonly name?: string;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Removal of the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Stage name: part of the execute-api URL (`/<stage>/v1/track`); the custom domain maps to it at its root. */
export const COLLECTOR_STAGE = 'live';

/**
 * A Segment-compatible HTTP collector: a regional REST API (`POST /v1/{track,identify,page,screen,batch,
 * alias,group}`, CORS for the allowed origins) proxied to one function in the VPC that authenticates by
 * write key, validates every event against its dataset's contract and writes it to the dataset's Kinesis
 * stream, or with its reasons to the quarantine stream. Access logs and execution logs in KMS-encrypted log
 * groups, X-Ray, throttling per stage and method, a required Content-Type (request validator), an AWS WAF
 * web ACL. The function may put records on the named streams only and read the named secrets only.
 *
 * Refuses (at construction, as one ValidationReport) a source writing an unknown dataset, a dataset not
 * ingested by stream, stream or secret names unknown at synth, and limits over the API's maxima.
 */
export class EventCollector extends Construct {
  public readonly api: apigw.RestApi;
  public readonly stage: apigw.Stage;
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly executionLogGroup: logs.LogGroup;
  public readonly functionLogGroup: logs.LogGroup;
  public readonly webAcl: CollectorWebAcl;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The document the handler runs on (also in the function's asset as collector-settings.json). */
  public readonly settings: CollectorSettings;
  public readonly domainName?: apigw.DomainName;
  /** The streams written, by dataset name (the quarantine included). */
  public readonly streams: ReadonlyMap<string, kinesis.IStream>;
  public readonly sourceNames: readonly string[];

  constructor(scope: Construct, id: string, props: EventCollectorProps) {
    super(scope, id);
    const problems = collectorProblems(props, this.node.path);
    if (problems.length > 0) throw new ValidationReport(problems);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    const limits: CollectorLimits = { ...DEFAULT_COLLECTOR_LIMITS, ...props.limits };
    const throttling = { rateLimit: props.throttling?.rateLimit ?? 1000, burstLimit: props.throttling?.burstLimit ?? 2000 };
    const allowedOrigins = props.allowedOrigins ?? [];
    const name = props.name ?? stack.stackName;
    this.sourceNames = props.sources.map((source) => source.name);
    this.streams = new Map([...props.datasets, props.quarantine].map((target) => [target.definition.name, target.stream]));

    this.settings = {
      version: 1,
      sources: props.sources.map((source) => ({ name: source.name, writeKeySecretArn: secretReference(source.writeKeySecret), datasets: [...source.datasets] })),
      datasets: props.datasets.map((target) => ({ name: target.definition.name, streamName: target.stream.streamName, definition: target.definition })),
      quarantine: { streamName: props.quarantine.stream.streamName },
      limits,
      privacy: { ip: props.privacy?.ip ?? 'truncate', keepUserAgent: props.privacy?.keepUserAgent ?? false },
      keyCacheSeconds: props.keyCacheSeconds ?? DEFAULT_KEY_CACHE_SECONDS,
      allowedOrigins: [...allowedOrigins],
    };

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'HTTP collector: HTTPS to the interface endpoints only',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.ipv4(props.vpcCidr), ec2.Port.tcp(443), 'HTTPS to the interface endpoints');

    this.role = vpcLambdaRole(this, 'FunctionRole', 'HTTP collector: put records on its datasets\' streams, read its sources\' write-key secrets');
    this.grantDelivery(props);

    this.functionLogGroup = new logs.LogGroup(this, 'FunctionLogs', { encryptionKey: props.logsKey, retention: logRetention, removalPolicy });
    this.function = new lambda.Function(this, 'Function', {
      description: 'HTTP collector (Segment tracking API): write-key auth, contract validation, Kinesis delivery, quarantine',
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: collectorCode(this.settings),
      role: this.role,
      // Below API Gateway's 29 s integration timeout, so a slow Kinesis answers the client, not the gateway.
      timeout: Duration.seconds(20),
      memorySize: 512,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: [this.securityGroup],
      logGroup: this.functionLogGroup,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 50,
      environment: { [SETTINGS_FILE_ENV]: SETTINGS_FILE_NAME },
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { encryptionKey: props.logsKey, retention: logRetention, removalPolicy });
    const clientCertificate = new apigw.CfnClientCertificate(this, 'ClientCertificate', {
      description: 'Presented by the collector API to HTTP back ends (none today: the integration is Lambda)',
    });
    this.api = new apigw.RestApi(this, 'Api', {
      // The ApiName metric dimension: unique per environment, or two environments' metrics would mix.
      restApiName: name,
      description: 'HTTP collector: Segment-compatible tracking API',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every body reaches the handler as the bytes sent (base64): gzip bodies survive, sizes are exact.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: false,
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      deployOptions: {
        stageName: COLLECTOR_STAGE,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        methodOptions: { '/*/*': { throttlingRateLimit: throttling.rateLimit, throttlingBurstLimit: throttling.burstLimit } },
        clientCertificateId: clientCertificate.attrClientCertificateId,
      },
      defaultCorsPreflightOptions:
        allowedOrigins.length > 0
          ? {
              allowOrigins: [...allowedOrigins],
              allowMethods: ['POST', 'OPTIONS'],
              allowHeaders: ['Content-Type', 'Content-Encoding', 'Authorization'],
              maxAge: Duration.days(1),
            }
          : undefined,
    });
    this.stage = this.api.deploymentStage;

    // Execution logs go to `API-Gateway-Execution-Logs_<api>/<stage>`; created here first, encrypted and
    // with a retention, instead of by API Gateway (unencrypted, kept forever).
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${COLLECTOR_STAGE}`,
      encryptionKey: props.logsKey,
      retention: logRetention,
      removalPolicy,
    });
    this.stage.node.addDependency(this.executionLogGroup);
    if (props.accountLogRole ?? true) this.addAccountLogRole();

    // Parameters: Content-Type must be sent. Body: on, but no method names a model, so API Gateway passes
    // every body through: a JSON Schema model would refuse gzip bodies (sent as application/json), and
    // the handler validates each event against its dataset's contract, which a model cannot express.
    const validator = this.api.addRequestValidator('ContentType', { requestValidatorName: 'content-type-required', validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigw.LambdaIntegration(this.function, { proxy: true, allowTestInvoke: false });
    const v1 = this.api.root.addResource('v1');
    for (const endpoint of COLLECTOR_ENDPOINTS) {
      v1.addResource(endpoint).addMethod('POST', integration, {
        requestValidator: validator,
        requestParameters: { 'method.request.header.Content-Type': true },
        operationName: endpoint,
      });
    }

    // Confused-deputy guard: only this account's API Gateway may invoke (SourceArn already names the API).
    for (const permission of this.api.node.findAll().filter((node): node is lambda.CfnPermission => node instanceof lambda.CfnPermission)) {
      permission.sourceAccount = stack.account;
    }

    this.webAcl = new CollectorWebAcl(this, 'Waf', {
      stageArn: this.stage.stageArn,
      requestsPerIpPer5Minutes: props.waf?.requestsPerIpPer5Minutes ?? 6000,
      managedRules: props.waf?.managedRules ?? true,
      maxBodyBytes: limits.maxBatchBytes,
      name,
      logsKey: props.logsKey,
      logRetention,
      removalPolicy,
    });

    if (props.customDomain) {
      this.domainName = this.api.addDomainName('Domain', {
        domainName: props.customDomain.domainName,
        certificate: props.customDomain.certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
    }
    this.acknowledgeDecisions();
  }

  /** The tracking endpoint's base URL (`https://<host>/` on a custom domain, else the stage URL). */
  public get url(): string {
    return this.domainName ? `https://${this.domainName.domainName}/` : this.api.url;
  }

  /** 4XX answers of the stage (Sum per 5 minutes). */
  public metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('4XXError', { statistic: 'Sum', ...props });
  }

  /** 5XX answers of the stage (Sum per 5 minutes). */
  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('5XXError', { statistic: 'Sum', ...props });
  }

  /** Requests to the stage (Sum per 5 minutes). */
  public metricRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Count', { statistic: 'Sum', ...props });
  }

  /** End-to-end latency at the gateway, p99 per 5 minutes (milliseconds). */
  public metricLatencyP99(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stageMetric('Latency', { statistic: 'p99', ...props });
  }

  /** Events accepted for one source (Sum per 5 minutes), published by the handler. */
  public metricAcceptedEvents(source: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sourceMetric(COLLECTOR_METRICS.accepted, source, props);
  }

  /** Events rejected (quarantined) for one source (Sum per 5 minutes), published by the handler. */
  public metricRejectedEvents(source: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sourceMetric(COLLECTOR_METRICS.rejected, source, props);
  }

  /** Records Kinesis throttled on one written stream (Sum per 5 minutes). */
  public metricStreamThrottling(dataset: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const stream = this.streams.get(dataset);
    if (!stream) throw new Error(`${this.node.path}: the collector writes no dataset "${dataset}" (it writes ${[...this.streams.keys()].join(', ')})`);
    return stream.metric('PutRecords.ThrottledRecords', { statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  /** A metric of the stage, by its literal names (no reference to this stack from the monitoring stack). */
  private stageMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiName: this.api.restApiName, Stage: COLLECTOR_STAGE },
      period: Duration.minutes(5),
      ...props,
    });
  }

  private sourceMetric(metricName: string, source: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.sourceNames.includes(source)) throw new Error(`${this.node.path}: no source "${source}" (sources: ${this.sourceNames.join(', ')})`);
    return new cloudwatch.Metric({
      namespace: COLLECTOR_NAMESPACE,
      metricName,
      dimensionsMap: { [SOURCE_DIMENSION]: source },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Put records on the named streams only; read the named secrets only (and their keys via Secrets Manager). */
  private grantDelivery(props: EventCollectorProps): void {
    const streams = [...props.datasets, props.quarantine].map((target) => target.stream.streamArn);
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kinesis:PutRecords', 'kinesis:PutRecord', 'kinesis:DescribeStreamSummary'], resources: [...new Set(streams)] }));
    // Kinesis encrypts with the stream key on the writer's behalf.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [props.streamKey.keyArn] }));
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [...new Set(props.sources.map((source) => secretPolicyArn(source.writeKeySecret)))] }),
    );
    const secretKeys = [...new Set(props.sources.flatMap((source) => (source.writeKeySecret.encryptionKey ? [source.writeKeySecret.encryptionKey.keyArn] : [])))];
    if (secretKeys.length > 0) {
      const stack = Stack.of(this);
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: secretKeys,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
  }

  /**
   * API Gateway writes execution logs with one role per account and region (`AWS::ApiGateway::Account`).
   * Its AWS-maintained policy needs `*` on CloudWatch Logs: it serves every API of the account.
   */
  private addAccountLogRole(): void {
    const role = new iam.Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway (account-wide setting): writes execution logs of this account\'s APIs',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy of the account-wide API Gateway logging role; ' +
        'it writes every API\'s execution logs, so a copy would need "*" (compliance decisions in docs/decisions.md, IAM4 on AWS service-role policies).',
    });
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    // Deleting the stack must not take the account's logging role away from other APIs.
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.stage.node.addDependency(account);
  }

  /** Findings that follow from decisions in docs/decisions.md, at the resources they concern. */
  private acknowledgeDecisions(): void {
    const packs = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
    for (const method of this.api.methods) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Senders authenticate with a write key (HTTP Basic user name, or writeKey in the body as Segment SDKs send it), checked against hashed keys by the handler; ' +
          'an API Gateway authorizer cannot read a key in the body, and OPTIONS preflights carry no credentials (compliance decisions in docs/decisions.md).',
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason: 'Senders are apps and sites identified by write key, not Cognito users (compliance decisions in docs/decisions.md, APIG4/COG4).',
      });
    }
    for (const pack of packs) {
      Validations.of(this.stage).acknowledge({
        id: `${pack}-APIGWCacheEnabledAndEncrypted`,
        reason: 'The collector serves POST only, which API Gateway never caches; a cache cluster would cost without effect (compliance decisions in docs/decisions.md).',
      });
    }
    for (const pack of packs) {
      Validations.of(this.function).acknowledge({
        id: `${pack}-LambdaDLQ`,
        reason:
          'API Gateway invokes the collector synchronously; a dead-letter queue receives only failed asynchronous invocations and would stay empty. ' +
          'Failures reach the sender as 5xx (it retries) and the 5xx alarm (compliance decisions in docs/decisions.md).',
      });
    }
  }
}

/** The secret as the handler names it: its full ARN when known at synth, else its name. */
function secretReference(secret: secretsmanager.ISecret): string {
  if (!Token.isUnresolved(secret.secretArn)) return secret.secretArn;
  return secret.secretName;
}

/**
 * The ARN for the IAM statement: a secret imported by name or partial ARN is matched with `-??????`, the
 * six random characters Secrets Manager appends to every secret's ARN.
 */
function secretPolicyArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
