import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientErrors } from '../../config/datasets/client-errors';
import { collectorQuarantine } from '../../config/datasets/collector-quarantine';
import { documents } from '../../config/datasets/documents';
import { events } from '../../config/datasets/events';
import { collectorAssetDirectory } from '../../constructs/collector/asset';
import { COLLECTOR_ENDPOINTS, EventCollector, type EventCollectorProps } from '../../constructs/collector';
import { parseCollectorSettings, SETTINGS_FILE_NAME } from '../../constructs/collector/settings';
import { ValidationReport } from '../../constructs/common/validation-report';
import { constructStack } from '../support/construct-stack';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function build(overrides: (stack: Stack, base: EventCollectorProps) => Partial<EventCollectorProps> = () => ({})) {
  const stack = constructStack(ENV);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const streamKey = new kms.Key(stack, 'StreamKey');
  const named = (name: string) =>
    kinesis.Stream.fromStreamAttributes(stack, `S-${name}`, {
      streamArn: stack.formatArn({ service: 'kinesis', resource: 'stream', resourceName: `lakehouse-test-${name}` }),
      encryptionKey: streamKey,
    });
  const base: EventCollectorProps = {
    vpc,
    vpcSubnets: { subnetGroupName: 'isolated' },
    vpcCidr: '10.0.0.0/16',
    datasets: [
      { definition: events, stream: named('events') },
      { definition: clientErrors, stream: named('client_errors') },
    ],
    quarantine: { definition: collectorQuarantine, stream: named('collector_quarantine') },
    sources: [
      { name: 'web', writeKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'WebKeys', 'collector/web'), datasets: ['events'] },
      {
        name: 'mobile',
        writeKeySecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'MobileKeys', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:collector/mobile-AbCdEf'),
        datasets: ['events', 'client_errors'],
      },
    ],
    streamKey,
    logsKey: new kms.Key(stack, 'LogsKey'),
    name: 'test-collector',
  };
  const collector = new EventCollector(stack, 'Collector', { ...base, ...overrides(stack, base) });
  return { stack, collector, template: Template.fromStack(stack) };
}

function problems(overrides: (stack: Stack, base: EventCollectorProps) => Partial<EventCollectorProps>): string[] {
  try {
    build(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationReport);
    return (error as ValidationReport).problems.map((p) => `${p.field}: got ${p.value}; ${p.allowed}`);
  }
  throw new Error('the props were accepted');
}

describe('EventCollector', () => {
  const { collector, template } = build();

  it('has the defaults its README documents', () => {
    expect(collector.settings).toMatchObject({
      limits: { maxEventBytes: 32768, maxBatchBytes: 512000, maxBatchEvents: 2500 },
      privacy: { ip: 'truncate', keepUserAgent: false },
      keyCacheSeconds: 300,
      allowedOrigins: [],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { COLLECTOR_SETTINGS_FILE: SETTINGS_FILE_NAME } },
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 20,
      ReservedConcurrentExecutions: 50,
    });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // The function's, the access log's, the execution log's and the WAF's: a loop over nothing would pass.
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const group of groups) {
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'live' });
  });

  it('exposes POST on every tracking endpoint (Segment\'s names, import, the browser SDK\'s short paths), each with the Content-Type header required', () => {
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } });
    expect(Object.keys(methods)).toHaveLength(COLLECTOR_ENDPOINTS.length);
    expect(COLLECTOR_ENDPOINTS).toHaveLength(15);
    for (const method of Object.values(methods)) {
      expect(method.Properties.RequestParameters).toEqual({ 'method.request.header.Content-Type': true });
      expect(method.Properties.RequestValidatorId).toBeDefined();
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
  });

  it('has no OPTIONS method (no CORS) without allowed origins', () => {
    expect(Object.keys(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))).toHaveLength(0);
  });

  it('answers preflights for the allowed origins only, when given', () => {
    const withCors = build(() => ({ allowedOrigins: ['https://app.example.com'] })).template;
    const options = Object.values(withCors.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(options.length).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(options[0].Properties.Integration.IntegrationResponses)).toContain("'https://app.example.com'");
  });

  it('is a regional API whose stage logs access in JSON to a KMS log group, traces, and throttles stage and methods', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'test-collector', EndpointConfiguration: { Types: ['REGIONAL'] }, BinaryMediaTypes: ['*/*'] });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'live',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"status"') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000, LoggingLevel: 'ERROR', MetricsEnabled: true, DataTraceEnabled: false }),
      ]),
      ClientCertificateId: Match.anyValue(),
    });
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(4);
    for (const group of groups) expect(group.Properties.KmsKeyId, JSON.stringify(group.Properties)).toBeDefined();
  });

  it('may put records on the written streams and the quarantine only, and read only the sources\' secrets', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const put = statements.find((statement) => [statement.Action].flat().includes('kinesis:PutRecords'));
    const streams = JSON.stringify(put.Resource);
    for (const name of ['lakehouse-test-events', 'lakehouse-test-client_errors', 'lakehouse-test-collector_quarantine']) expect(streams).toContain(`stream/${name}`);
    expect(put.Resource).toHaveLength(3);
    const secrets = statements.find((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secrets.Resource)).toContain('secret:collector/web-??????');
    expect(JSON.stringify(secrets.Resource)).toContain('secret:collector/mobile-AbCdEf');
    const actions = new Set(statements.flatMap((statement) => [statement.Action].flat()));
    expect([...actions].sort()).toEqual(['kinesis:DescribeStreamSummary', 'kinesis:PutRecord', 'kinesis:PutRecords', 'kms:GenerateDataKey', 'secretsmanager:GetSecretValue']);
  });

  it('runs in the VPC with reserved concurrency and the settings file named in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 50,
      VpcConfig: Match.anyValue(),
      Environment: { Variables: { COLLECTOR_SETTINGS_FILE: SETTINGS_FILE_NAME } },
      Timeout: 20,
    });
  });

  it('ships a settings file that the handler\'s own checker accepts, naming streams and secrets literally', () => {
    const file = JSON.parse(readFileSync(join(collectorAssetDirectory(collector.settings), SETTINGS_FILE_NAME), 'utf8'));
    const settings = parseCollectorSettings(file);
    expect(settings.datasets.map((d) => [d.name, d.streamName])).toEqual([
      ['events', 'lakehouse-test-events'],
      ['client_errors', 'lakehouse-test-client_errors'],
    ]);
    expect(settings.quarantine.streamName).toBe('lakehouse-test-collector_quarantine');
    // Imported by name in a stack with a concrete environment: the partial ARN, which GetSecretValue accepts.
    expect(settings.sources.map((s) => s.writeKeySecretArn)).toEqual(['arn:aws:secretsmanager:eu-west-1:111111111111:secret:collector/web', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:collector/mobile-AbCdEf']);
    expect(settings.datasets[0].definition).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('keeps the asset (and so the function) unchanged for identical settings, and changes it with a setting', () => {
    const code = (t: Template) =>
      JSON.stringify(Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { COLLECTOR_SETTINGS_FILE: Match.anyValue() } } } }))[0].Properties.Code);
    expect(code(build().template)).toBe(code(template));
    expect(code(build(() => ({ keyCacheSeconds: 60 })).template)).not.toBe(code(template));
  });

  it('associates a REGIONAL web ACL with the stage: rate per IP, declared body size, query size, managed rules; logs redact Authorization', () => {
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.Rules.map((rule: { Name: string }) => rule.Name)).toEqual(['RatePerIp', 'DeclaredBodyTooLarge', 'QueryStringTooLarge', 'AwsCommonRules', 'AwsKnownBadInputs']);
    expect(acl.Rules[0].Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', Limit: 6000 });
    expect(acl.Rules[1].Statement.RegexMatchStatement.RegexString).toMatch(/^\^0\*\(/);
    expect(acl.Rules[3].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue() });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: [{ SingleHeader: { Name: 'authorization' } }] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-test-collector' });
  });

  it('serves a custom domain with TLS 1.2 and turns the execute-api endpoint off', () => {
    const withDomain = build((stack) => ({
      customDomain: { domainName: 'collect.example.com', certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000') },
    })).template;
    withDomain.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'collect.example.com', SecurityPolicy: 'TLS_1_2', EndpointConfiguration: { Types: ['REGIONAL'] } });
    withDomain.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });

  it('creates the account logging role only when asked to', () => {
    expect(Object.keys(template.findResources('AWS::ApiGateway::Account'))).toHaveLength(1);
    expect(Object.keys(build(() => ({ accountLogRole: false })).template.findResources('AWS::ApiGateway::Account'))).toHaveLength(0);
  });

  it('names its metrics literally: API stage dimensions and the handler\'s namespace per source', () => {
    expect(collector.metricServerErrors().dimensions).toEqual({ ApiName: 'test-collector', Stage: 'live' });
    expect(collector.metricRejectedEvents('web')).toMatchObject({ namespace: 'Lakehouse/Collector', metricName: 'RejectedEvents', dimensions: { Source: 'web' } });
    expect(() => collector.metricAcceptedEvents('ios')).toThrow(/no source "ios" \(sources: web, mobile\)/);
    expect(collector.metricStreamThrottling('events').dimensions).toEqual({ StreamName: 'lakehouse-test-events' });
  });
});

describe('EventCollector refuses', () => {
  it('a source writing a dataset the collector is not given', () => {
    expect(problems((_stack, base) => ({ sources: [{ ...base.sources[0], datasets: ['orders'] }] }))).toEqual([
      'sources[0].datasets[0]: got "orders"; must be one of the collector\'s datasets (events, client_errors)',
    ]);
  });

  it('a dataset that is not ingested by stream', () => {
    expect(problems((_stack, base) => ({ datasets: [...base.datasets, { definition: documents, stream: base.datasets[0].stream }] }))[0]).toBe(
      'datasets[2].definition.ingestion: got "batch"; must be "stream": the collector writes to the dataset\'s Kinesis stream (dataset "documents")',
    );
  });

  it('a stream whose name is a token (the settings file must name it)', () => {
    const lines = problems((stack, base) => ({ datasets: [{ definition: events, stream: new kinesis.Stream(stack, 'Unnamed') }], sources: [{ ...base.sources[0] }] }));
    expect(lines[0]).toMatch(/^datasets\[0\]\.stream: got "\(a token\)"; must have a name known at synth/);
  });

  it('duplicate sources, throttling over the account quota and a WAF rate below 100, all at once', () => {
    const lines = problems((_stack, base) => ({ sources: [base.sources[0], base.sources[0]], throttling: { rateLimit: 20_000 }, waf: { requestsPerIpPer5Minutes: 50 } }));
    expect(lines).toEqual([
      'throttling.rateLimit: got 20000; must be above 0 and at most 10000 (API Gateway\'s default account quota)',
      'waf.requestsPerIpPer5Minutes: got 50; must be a whole number from 100 to 2000000000',
    ]);
    expect(problems((_stack, base) => ({ sources: [base.sources[0], base.sources[0]] }))).toEqual(['sources[1].name: got "web"; must be unique: source "web" is declared twice']);
  });

  it('limits over the maxima and an origin with a path', () => {
    // The construct takes any origin a browser sends (http for local pages too); the app's config is
    // stricter (https only, config/collector-schema.ts).
    expect(problems(() => ({ limits: { maxBatchEvents: 2501 }, allowedOrigins: ['https://app.example.com/shop'] }))).toEqual([
      'limits.maxBatchEvents: got 2501; must be a whole number from 1 to 2500',
      expect.stringMatching(/^allowedOrigins\[0\]: got "https:\/\/app\.example\.com\/shop"; must match /),
    ]);
  });

  it('a name that cannot name the API, the WAF metrics and log group', () => {
    expect(problems(() => ({ name: 'my collector!' }))).toEqual([
      'name: got "my collector!"; must be 1-100 letters, digits, "_", "." or "-" (it names the API, the WAF metrics and the WAF log group)',
    ]);
  });

  it('the quarantine as a dataset senders write', () => {
    expect(problems((_stack, base) => ({ datasets: [...base.datasets, base.quarantine] }))[0]).toMatch(/^quarantine: got "collector_quarantine"; must not also be a dataset senders write/);
  });
});
