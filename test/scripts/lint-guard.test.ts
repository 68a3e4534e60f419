/**
 * scripts/lint-guard.ts and scripts/control-tower: Control Tower rules run by the real cfn-guard over small
 * templates, judged against decisions.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judge, patternMatches, type GuardDecision } from '../../scripts/control-tower/judge';
import { parseGuardOutput } from '../../scripts/control-tower/guard-output';
import { readTemplate, runControlTowerRules, type GuardFailure } from '../../scripts/control-tower/run-guard';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import { describeJudgement } from '../../scripts/lint-guard';

const path = (id: string) => ({ 'aws:cdk:path': `app-dev-consumer/${id}/Resource` });
const stackOutput = (OutputName: string) => ({ 'Fn::GetStackOutput': { StackName: 'app-dev-producer', OutputName } });

/** cdk.out/dev as synth:all lays it out: a producer stack with a key and a bucket, a consumer referring to both. */
function writeTemplates(): string[] {
  const dir = join(mkdtempSync(join(tmpdir(), 'lint-guard-')), 'dev');
  mkdirSync(dir);
  const producer = {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: [] } } },
      Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
    },
    Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } }, BucketArn: { Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] } } },
  };
  const consumer = {
    Resources: {
      KeyLogs: { Type: 'AWS::Logs::LogGroup', Metadata: path('KeyLogs'), Properties: { RetentionInDays: 365, KmsKeyId: stackOutput('KeyArn') } },
      BucketLogs: { Type: 'AWS::Logs::LogGroup', Metadata: path('BucketLogs'), Properties: { RetentionInDays: 365, KmsKeyId: stackOutput('BucketArn') } },
      ShortLogs: { Type: 'AWS::Logs::LogGroup', Metadata: path('ShortLogs'), Properties: { RetentionInDays: 30, KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1' } },
    },
  };
  const files = [join(dir, 'app-dev-producer.template.json'), join(dir, 'app-dev-consumer.template.json')];
  writeFileSync(files[0]!, JSON.stringify(producer));
  writeFileSync(files[1]!, JSON.stringify(consumer));
  return files;
}

describe('Control Tower rules through cfn-guard', () => {
  let failures: GuardFailure[];
  beforeAll(() => {
    failures = runControlTowerRules(writeTemplates());
  });
  const at = (control: string, resource: string) => failures.filter((failure) => failure.control === control && failure.resource === resource);

  it('reports each failing control once per resource, by control ID and generic construct path, with the rejected value', () => {
    expect(at('CT.CLOUDWATCH.PR.2', '<env>-consumer/ShortLogs')).toHaveLength(1);
    const [keyLogs] = at('CT.CLOUDWATCH.PR.3', '<env>-consumer/KeyLogs');
    expect(keyLogs).toMatchObject({ environment: 'dev', stackName: 'app-dev-consumer', logicalId: 'KeyLogs', locations: ['/Resources/KeyLogs/Properties/KmsKeyId'] });
    // A literal key ARN passes the encryption control.
    expect(at('CT.CLOUDWATCH.PR.3', '<env>-consumer/ShortLogs')).toEqual([]);
  });

  it('fails the gate on a failure no decision covers', () => {
    const verdict = describeJudgement(judge(failures, [], readTemplate));
    expect(verdict.ok).toBe(false);
    expect(verdict.lines.some((line) => line.startsWith('UNDOCUMENTED CT.CLOUDWATCH.PR.2') && line.includes('<env>-consumer/ShortLogs'))).toBe(true);
  });

  const decisions: GuardDecision[] = [
    { control: 'CT.CLOUDWATCH.PR.2', resources: ['<env>-consumer/ShortLogs'], environments: ['dev'], reason: 'short retention in dev' },
    { control: 'CT.CLOUDWATCH.PR.3', resources: ['<env>-consumer/*Logs'], crossStackReferenceTo: 'AWS::KMS::Key', reason: 'the key is in the producer stack' },
  ];

  it('accepts a cross-stack reference only where it really leads to the named resource type', () => {
    const judgement = judge(failures, decisions, readTemplate);
    expect(judgement.documented.map((failure) => `${failure.control} ${failure.resource}`).sort()).toEqual([
      'CT.CLOUDWATCH.PR.2 <env>-consumer/ShortLogs',
      'CT.CLOUDWATCH.PR.3 <env>-consumer/KeyLogs',
    ]);
    // (The producer's bare key and bucket fail controls of their own; only the consumer matters here.)
    const consumer = judgement.undocumented.filter(({ failure }) => failure.stackName === 'app-dev-consumer');
    expect(consumer).toHaveLength(1);
    expect(consumer[0]!.failure.resource).toBe('<env>-consumer/BucketLogs');
    expect(consumer[0]!.why).toMatch(/AWS::S3::Bucket, not AWS::KMS::Key/);
  });

  it('holds a decision to its environments', () => {
    const elsewhere = judge(failures, [{ ...decisions[0]!, environments: ['prod'] }], readTemplate);
    expect(elsewhere.undocumented.map(({ failure }) => failure.control)).toContain('CT.CLOUDWATCH.PR.2');
  });

  it('fails the gate on a decision that no longer matches any failure', () => {
    const stale: GuardDecision = { control: 'CT.S3.PR.9', resources: ['<env>-consumer/Gone'], reason: 'removed bucket' };
    const verdict = describeJudgement(judge(failures, [stale], readTemplate));
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain(
      'STALE decision CT.S3.PR.9 at <env>-consumer/Gone: no failure matches it any more; remove it from scripts/control-tower/decisions.ts and docs/decisions.md',
    );
  });
});

/** A key whose policy denies grants unless they are for AWS resources, with `conditions` under BoolIfExists. */
function keyTemplate(conditions: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lint-guard-kms-')), 'dev');
  mkdirSync(dir);
  const file = join(dir, 'app-dev-storage.template.json');
  const statement = { Sid: 'DenyGrants', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*', Condition: { BoolIfExists: conditions } };
  const admin = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' };
  const key = { Type: 'AWS::KMS::Key', Metadata: { 'aws:cdk:path': 'app-dev-storage/Keys/LakeKey/Resource' }, Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: [admin, statement] } } };
  writeFileSync(file, JSON.stringify({ Resources: { LakeKey: key } }));
  return file;
}

describe('CT.KMS.PR.3 on a grant Deny with one of its two conditions (crashed the plugin\'s parser)', () => {
  const half = keyTemplate({ 'kms:GrantIsForAWSResource': 'false' });

  it('is what the plugin cannot parse: guard reports the missing condition key on a variable, without a path', () => {
    const validate = () => new CfnGuardValidator().validate({ templatePaths: [half] } as unknown as IPolicyValidationContextBeta1);
    expect(validate).toThrow(/reading 'to'/);
  });

  it('is reported once, at the key, with the statements guard rejected', () => {
    const kms = runControlTowerRules([half]).filter((failure) => failure.control === 'CT.KMS.PR.3');
    expect(kms).toHaveLength(1);
    expect(kms[0]).toMatchObject({ resource: '<env>-storage/Keys/LakeKey', logicalId: 'LakeKey', rule: 'kms_create_grant_aws_service_check' });
    expect(kms[0]!.locations.every((location) => location.startsWith('/Resources/LakeKey/Properties/KeyPolicy/Statement/'))).toBe(true);
  });

  it('passes with the statement the control asks for', () => {
    const full = keyTemplate({ 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' });
    // The same template as above but for the second condition: the key then passes every control.
    expect(runControlTowerRules([full])).toEqual([]);
  });
});

describe('reading guard output', () => {
  const contextOnly = { Clause: { Unary: { check: { UnResolvedContext: ' %x not EMPTY ' }, context: ' %x not EMPTY ', messages: {} } } };
  const rule = (checks: unknown[]) => ({ Rule: { name: 'r', messages: { custom_message: '\n [CT.X.PR.1]: Require x\n [FIX]: do x\n' }, checks } });

  it('reports a failing rule that names no template value at the template, never drops it', () => {
    expect(parseGuardOutput([{ name: '/t.json', status: 'FAIL', not_compliant: [rule([contextOnly])] }])).toEqual([
      { templateName: '/t.json', rule: 'r', control: 'CT.X.PR.1', description: '[CT.X.PR.1]: Require x', logicalId: undefined, locations: [] },
    ]);
  });

  it('does not take a property named path inside a template value for a location', () => {
    const unresolved = { Clause: { Unary: { check: { UnResolved: { value: { traversed_to: { path: '/Resources/A/Properties', value: { path: '/Resources/B' } } } } } } } };
    expect(parseGuardOutput([{ name: '/t.json', status: 'FAIL', not_compliant: [rule([unresolved, contextOnly])] }]).map((failure) => [failure.logicalId, failure.locations])).toEqual([
      ['A', ['/Resources/A/Properties']],
    ]);
  });

  it('refuses output it does not understand instead of passing it', () => {
    expect(() => parseGuardOutput({})).toThrow(/not a list/);
    expect(() => parseGuardOutput([{ name: '/t.json', status: 'FAIL', not_compliant: {} }])).toThrow(/names no failing rule/);
  });
});

describe('decision resource patterns', () => {
  it('* matches within one path segment only', () => {
    expect(patternMatches('<env>-catalog/Catalog/*Workgroup', '<env>-catalog/Catalog/LakehouseDevAnalystWorkgroup')).toBe(true);
    expect(patternMatches('<env>-vector/VectorStore/*Logs', '<env>-vector/VectorStore/Nested/WaiterLogs')).toBe(false);
    expect(patternMatches('<env>-storage/Keys/*Key', '<env>-storage/Keys/LakeKeyAlias')).toBe(false);
  });
});
