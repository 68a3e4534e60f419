/**
 * scripts/lint-guard.ts and scripts/control-tower: Control Tower rules run by the real cfn-guard over small
 * templates, judged against decisions.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { judge, patternMatches, type GuardDecision } from '../../scripts/control-tower/judge';
import { readTemplate, runControlTowerRules, type GuardFailure } from '../../scripts/control-tower/run-guard';
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

describe('decision resource patterns', () => {
  it('* matches within one path segment only', () => {
    expect(patternMatches('<env>-catalog/Catalog/*Workgroup', '<env>-catalog/Catalog/LakehouseDevAnalystWorkgroup')).toBe(true);
    expect(patternMatches('<env>-vector/VectorStore/*Logs', '<env>-vector/VectorStore/Nested/WaiterLogs')).toBe(false);
    expect(patternMatches('<env>-storage/Keys/*Key', '<env>-storage/Keys/LakeKeyAlias')).toBe(false);
  });
});
