import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import type { PersonaConfig } from '../../config/schema';
import { personaTrust } from '../../lib/stacks/catalog-stack';
import { BREAK_GLASS_ONLY_ACTIONS, POLICY_AND_LOCK_ACTIONS } from '../../constructs/backup';
import { environmentInterfaceEndpoints } from '../../lib/interface-endpoints';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

type Statement = { Sid?: string; Effect: string; Principal?: any; Action: string | string[]; Resource?: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Resource policies (not trust policies) of a template, with where they sit. */
function resourcePolicies(template: Template): Array<{ where: string; statements: Statement[] }> {
  const documents: Record<string, string> = {
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::S3::BucketPolicy': 'PolicyDocument',
    'AWS::SNS::TopicPolicy': 'PolicyDocument',
    'AWS::SQS::QueuePolicy': 'PolicyDocument',
    'AWS::Backup::BackupVault': 'AccessPolicy',
  };
  return Object.entries(template.Resources)
    .filter(([, resource]) => documents[resource.Type] && resource.Properties?.[documents[resource.Type]])
    .map(([logicalId, resource]) => ({ where: `${logicalId} (${resource.Type})`, statements: resource.Properties![documents[resource.Type]].Statement }));
}

const servicePrincipals = (statement: Statement): string[] => {
  const service = statement.Principal?.Service;
  return service === undefined ? [] : [service].flat();
};

/** Condition keys that tie a service principal to this account's resources. */
const ACCOUNT_BINDING = /^(aws:SourceAccount|aws:SourceArn|kms:EncryptionContext:aws:(logs:arn|sns:topicArn|sqs:arn))$/;

describe.each(ENVIRONMENT_NAMES)('%s security', (environment) => {
  const { templates, config, stacks } = synthCached(environment);
  const all = Object.entries(templates);
  const storage = templates[`lakehouse-${environment}-storage`];
  const vector = templates[`lakehouse-${environment}-vector`];
  const network = templates[`lakehouse-${environment}-network`];
  const catalog = templates[`lakehouse-${environment}-catalog`];

  it(environment === 'dev' ? 'dev stacks can be deleted (no termination protection)' : 'every stack is termination-protected', () => {
    const everyStack = [stacks.storage, stacks.network, stacks.catalog, stacks.ingestion, stacks.vector, stacks.embeddings!, stacks.operations, ...(stacks.dr ? [stacks.dr] : [])];
    expect(everyStack).toHaveLength(environment === 'prod' ? 8 : 7);
    for (const stack of everyStack) expect([stack.stackName, stack.terminationProtection]).toEqual([stack.stackName, environment !== 'dev']);
  });

  it('every KMS key refuses grants that are not for AWS resources', () => {
    const keys = all.flatMap(([stack, template]) => resourcesOfType(template, 'AWS::KMS::Key').map((key) => ({ stack, key })));
    expect(keys.length).toBeGreaterThanOrEqual(7);
    for (const { stack, key } of keys) {
      const deny = (key.Properties!.KeyPolicy.Statement as Statement[]).find((statement) => statement.Sid === 'DenyGrantsExceptForAwsResources');
      expect(deny, `${stack}/${key.logicalId}`).toEqual({
        Sid: 'DenyGrantsExceptForAwsResources',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  it('every service principal in a key, topic, queue, bucket or vault policy is bound to this account', () => {
    let checked = 0;
    for (const [stack, template] of all) {
      for (const { where, statements } of resourcePolicies(template)) {
        for (const statement of statements.filter((s) => s.Effect === 'Allow' && servicePrincipals(s).length > 0)) {
          const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
          expect(keys.some((key) => ACCOUNT_BINDING.test(key)), `${stack}/${where}: ${servicePrincipals(statement).join(', ')} unconditioned`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('every function permission for an AWS service names the source', () => {
    const permissions = all.flatMap(([stack, template]) =>
      resourcesOfType(template, 'AWS::Lambda::Permission')
        .filter((permission) => String(permission.Properties!.Principal).endsWith('.amazonaws.com'))
        .map((permission) => ({ stack, permission })),
    );
    expect(permissions.length).toBeGreaterThan(0);
    for (const { stack, permission } of permissions) {
      const properties = permission.Properties!;
      expect(properties.SourceArn ?? properties.SourceAccount, `${stack}/${permission.logicalId}`).toBeDefined();
    }
  });

  it('the notification key admits its publishers only for topics of this account and region', () => {
    const [key] = resourcesOfType(storage, 'AWS::KMS::Key').filter((k) => JSON.stringify(k.Properties!.KeyPolicy).includes('AllowAlarmPublishersThroughSns'));
    const statement = (key.Properties!.KeyPolicy.Statement as Statement[]).find((s) => s.Sid === 'AllowAlarmPublishersThroughSns')!;
    expect(servicePrincipals(statement).sort()).toEqual(['backup.amazonaws.com', 'cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    const topicArn = JSON.stringify(statement.Condition!.ArnLike['kms:EncryptionContext:aws:sns:topicArn']);
    expect(topicArn).toContain(':sns:');
    expect(topicArn).toContain(config.account ?? 'AWS::AccountId');
  });

  it('the database secret is kept whenever the database is, and its admin user is not postgres', () => {
    const [secret] = resourcesOfType(vector, 'AWS::SecretsManager::Secret');
    const [instance] = resourcesOfType(vector, 'AWS::RDS::DBInstance');
    expect(secret.DeletionPolicy).toBe(instance.DeletionPolicy === 'Delete' ? 'Delete' : 'Retain');
    expect(secret.UpdateReplacePolicy).toBe(secret.DeletionPolicy);
    expect(JSON.parse(secret.Properties!.GenerateSecretString.SecretStringTemplate)).toEqual({ username: 'lakehouse_admin' });
    if (environment !== 'dev') expect(instance.DeletionPolicy).toBe('Snapshot');
  });

  it('the S3 gateway endpoint admits only this account\'s buckets and principals, plus CloudFormation responses', () => {
    const [s3] = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').filter((endpoint) => endpoint.Properties!.VpcEndpointType === 'Gateway');
    const statements = s3.Properties!.PolicyDocument.Statement as Statement[];
    const account = config.account ?? { Ref: 'AWS::AccountId' };
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Action: 's3:*',
      Condition: { StringEquals: { 'aws:ResourceAccount': account, 'aws:PrincipalAccount': account } },
    });
    expect(statements[1]).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(JSON.stringify(statements[1].Resource)).toContain(':s3:::cloudformation-custom-resource-response-');
    expect(statements).toHaveLength(2);
  });

  it('every interface endpoint admits only this account\'s principals and resources', () => {
    const interfaces = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').filter((endpoint) => endpoint.Properties!.VpcEndpointType === 'Interface');
    expect(interfaces.length).toBe(environmentInterfaceEndpoints(config).length);
    const account = config.account ?? { Ref: 'AWS::AccountId' };
    for (const endpoint of interfaces) {
      // Bedrock's runtime also admits invoking AWS-owned foundation models, for our principals only.
      const bedrock = JSON.stringify(endpoint.Properties!.ServiceName).includes('bedrock-runtime');
      expect(endpoint.Properties!.PolicyDocument.Statement, endpoint.logicalId).toEqual([
        ...(bedrock
          ? [
              {
                Sid: 'AwsOwnedFoundationModels',
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: 'bedrock:InvokeModel',
                Resource: expect.anything(),
                Condition: { StringEquals: { 'aws:PrincipalAccount': account } },
              },
            ]
          : []),
        {
          Sid: 'OnlyThisAccountsPrincipalsAndResources',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': account }, StringEqualsIfExists: { 'aws:ResourceAccount': account } },
        },
      ]);
      if (bedrock) expect(JSON.stringify(endpoint.Properties!.PolicyDocument.Statement[0].Resource)).toContain('::foundation-model/*');
    }
    expect(interfaces.filter((endpoint) => JSON.stringify(endpoint.Properties!.ServiceName).includes('bedrock-runtime'))).toHaveLength(1);
  });

  it('persona roles trust the configured principals (dev: the account, documented)', () => {
    const roles = resourcesOfType(catalog, 'AWS::IAM::Role').filter((role) => String(role.Properties!.Description ?? '').startsWith('Lakehouse persona'));
    const created = config.governance.personas.filter((persona) => !persona.roleArn);
    expect(roles).toHaveLength(created.length);
    for (const persona of created) {
      const role = roles.find((r) => r.Properties!.Description.startsWith(`Lakehouse persona ${persona.name}:`))!;
      const [trust] = role.Properties!.AssumeRolePolicyDocument.Statement as Statement[];
      expect(JSON.stringify(trust.Principal)).toContain(':root');
      if (persona.trustedPrincipals.length === 0) {
        expect(environment).toBe('dev');
        expect(trust.Condition).toBeUndefined();
      } else {
        expect(trust.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': persona.trustedPrincipals } });
      }
    }
  });

  it('Lake Formation admins include a person outside dev', () => {
    if (environment === 'dev') return;
    expect(config.governance.lakeFormationAdmins.length).toBeGreaterThan(0);
    const [settings] = resourcesOfType(catalog, 'AWS::LakeFormation::DataLakeSettings');
    const admins = JSON.stringify(settings.Properties!.Admins);
    for (const admin of config.governance.lakeFormationAdmins) expect(admins).toContain(admin);
  });
});

describe('backup vaults', () => {
  it('dev: each deployment names its own vault, retained, so destroy and redeploy do not collide', () => {
    const [vault] = resourcesOfType(synthCached('dev').templates['lakehouse-dev-storage'], 'AWS::Backup::BackupVault');
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(vault.Properties!.BackupVaultName).toEqual({
      'Fn::Join': ['', ['lakehouse-dev-', { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] }]],
    });
  });

  it('dev: the backup alarm watches the deployment\'s vault through the storage stack\'s name', () => {
    const operations = synthCached('dev').templates['lakehouse-dev-operations'];
    const [alarm] = resourcesOfType(operations, 'AWS::CloudWatch::Alarm').filter((a) => a.Properties!.MetricName === 'NumberOfBackupJobsFailed');
    const [vault] = resourcesOfType(synthCached('dev').templates['lakehouse-dev-storage'], 'AWS::Backup::BackupVault');
    const dimension = JSON.stringify(alarm.Properties!.Dimensions);
    expect(dimension).toContain('"StackName":"lakehouse-dev-storage"');
    expect(dimension).toContain(`BackupVaultName","Value":{"Fn::GetStackOutput"`);
    expect(dimension).toContain(vault.logicalId);
  });

  it.each(['staging', 'prod'] as const)('%s: the vault keeps its fixed name and denies destruction to all but break-glass', (environment) => {
    const { templates, config } = synthCached(environment);
    const [vault] = resourcesOfType(templates[`lakehouse-${environment}-storage`], 'AWS::Backup::BackupVault');
    expect(vault.Properties!.BackupVaultName).toBe(`lakehouse-${environment}`);
    const [destroy, change] = vault.Properties!.AccessPolicy.Statement as Statement[];
    expect(destroy).toMatchObject({ Effect: 'Deny', Action: [...BREAK_GLASS_ONLY_ACTIONS], Condition: { ArnNotEquals: { 'aws:PrincipalArn': config.backup.breakGlassRoleArn } } });
    expect(change).toMatchObject({ Effect: 'Deny', Action: [...POLICY_AND_LOCK_ACTIONS] });
    const exempt = change.Condition!.ArnNotEquals['aws:PrincipalArn'] as unknown[];
    expect(exempt[0]).toBe(config.backup.breakGlassRoleArn);
    expect(JSON.stringify(exempt[1])).toContain('cfn-exec-role');
    expect(exempt).toHaveLength(2);
  });

  it('prod: the DR vault gets the same access policy and the configured lock', () => {
    const { templates, config } = synthCached('prod');
    const [vault] = resourcesOfType(templates['lakehouse-prod-storage'], 'AWS::Backup::BackupVault');
    const [drVault] = resourcesOfType(templates['lakehouse-prod-dr'], 'AWS::Backup::BackupVault');
    expect(drVault.Properties!.BackupVaultName).toBe('lakehouse-prod-dr');
    const normalise = (policy: unknown) => JSON.stringify(policy).replace(/"Ref":"AWS::Region"|eu-central-1|eu-west-1/g, 'REGION');
    expect(normalise(drVault.Properties!.AccessPolicy)).toBe(normalise(vault.Properties!.AccessPolicy));
    const lock = config.backup.disasterRecovery?.vaultLock ?? config.backup.vaultLock!;
    expect(drVault.Properties!.LockConfiguration).toEqual({ MinRetentionDays: lock.minRetentionDays, MaxRetentionDays: lock.maxRetentionDays });
    expect(drVault.DeletionPolicy).toBe('Retain');
  });
});

describe('persona trust', () => {
  const persona = (extra: Partial<PersonaConfig>): PersonaConfig => ({
    name: 'analyst',
    excludeClassifications: [],
    write: false,
    trustedPrincipals: [],
    requireMfa: false,
    ...extra,
  });
  const trustOf = (config: PersonaConfig) => {
    const stack = new Stack(new App(), 'Trust', { env: { account: '222222222222', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'Role', { assumedBy: personaTrust(config) });
    return stack.resolve((role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument).Statement[0];
  };

  it('adds MFA and principal-tag conditions to the trusted principals', () => {
    const trust = trustOf(
      persona({ trustedPrincipals: ['arn:aws:iam::222222222222:role/Analyst*'], requireMfa: true, principalTag: { key: 'team', value: 'analytics' } }),
    );
    expect(JSON.stringify(trust.Principal)).toContain(':iam::222222222222:root');
    expect(trust.Condition).toEqual({
      ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/Analyst*'] },
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      StringEquals: { 'aws:PrincipalTag/team': 'analytics' },
    });
  });

  it('with a principal tag alone, trusts the tagged principals of the account', () => {
    expect(trustOf(persona({ principalTag: { key: 'team', value: 'analytics' } })).Condition).toEqual({
      StringEquals: { 'aws:PrincipalTag/team': 'analytics' },
    });
  });
});
