import { describe, expect, it } from 'vitest';
import { synthCached, type Template } from '../support/synth';

const STATEFUL = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Kinesis::Stream'];
/** Retained in every environment, dev included: the erasure ledger (Object Lock), the key that reads it, the salt of its hashes. */
const ALWAYS_RETAINED = /^lakehouse-dev-privacy\/Erasure(LedgerBucket|Key|Salt)[0-9A-F]{8}$/;

function statefulResources(templates: Record<string, Template>) {
  return Object.entries(templates).flatMap(([stack, template]) =>
    Object.entries(template.Resources)
      .filter(([, resource]) => STATEFUL.includes(resource.Type))
      .map(([logicalId, resource]) => ({ stack, logicalId, ...resource })),
  );
}

describe.each(['staging', 'prod'] as const)('%s keeps its data', (environment) => {
  const { templates, assembly } = synthCached(environment);

  it('every bucket, key, log group and stream has DeletionPolicy and UpdateReplacePolicy Retain', () => {
    const resources = statefulResources(templates);
    expect(resources.length).toBeGreaterThanOrEqual(8);
    for (const resource of resources) {
      expect([resource.DeletionPolicy, resource.UpdateReplacePolicy], `${resource.stack}/${resource.logicalId}`).toEqual(['Retain', 'Retain']);
    }
  });

  it('never empties buckets on deletion', () => {
    const autoDelete = Object.values(templates).flatMap((template) =>
      Object.values(template.Resources).filter((resource) => resource.Type === 'Custom::S3AutoDeleteObjects'),
    );
    expect(autoDelete).toEqual([]);
  });

  it('the storage, catalog and vector stacks are termination-protected', () => {
    for (const layer of ['storage', 'catalog', 'vector']) {
      expect(assembly.getStackByName(`lakehouse-${environment}-${layer}`).terminationProtection, layer).toBe(true);
    }
  });

  it('the database is snapshotted on removal or replacement, Multi-AZ and deletion-protected', () => {
    const [instance] = Object.values(templates[`lakehouse-${environment}-vector`].Resources).filter((r) => r.Type === 'AWS::RDS::DBInstance');
    expect([instance.DeletionPolicy, instance.UpdateReplacePolicy]).toEqual(['Snapshot', 'Snapshot']);
    expect(instance.Properties).toMatchObject({ MultiAZ: true, DeletionProtection: true });
  });

  it('keys wait 30 days before deletion', () => {
    for (const resource of statefulResources(templates).filter((r) => r.Type === 'AWS::KMS::Key')) {
      expect(resource.Properties?.PendingWindowInDays).toBe(30);
    }
  });
});

describe('dev opts into DESTROY explicitly', () => {
  const { templates, assembly, config } = synthCached('dev');

  it('because its config file says so', () => {
    expect(config.removalPolicy).toBe('destroy');
  });

  it('deletes and empties its buckets, and deletes keys after the shortest window', () => {
    const resources = statefulResources(templates).filter((resource) => !ALWAYS_RETAINED.test(`${resource.stack}/${resource.logicalId}`));
    for (const resource of resources) expect(resource.DeletionPolicy, `${resource.logicalId}`).toBe('Delete');
    const buckets = resources.filter((r) => r.Type === 'AWS::S3::Bucket' && r.stack === 'lakehouse-dev-storage');
    const autoDelete = Object.values(templates['lakehouse-dev-storage'].Resources).filter((r) => r.Type === 'Custom::S3AutoDeleteObjects');
    expect(autoDelete).toHaveLength(buckets.length);
    for (const key of resources.filter((r) => r.Type === 'AWS::KMS::Key')) expect(key.Properties?.PendingWindowInDays).toBe(7);
  });

  it('keeps the erasure ledger, its key and its salt all the same: they are the evidence of past erasures', () => {
    const privacy = templates['lakehouse-dev-privacy'].Resources;
    const kept = Object.entries(privacy).filter(([logicalId]) => ALWAYS_RETAINED.test(`lakehouse-dev-privacy/${logicalId}`));
    expect(kept.map(([, resource]) => resource.Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret']);
    for (const [logicalId, resource] of kept) expect([resource.DeletionPolicy, resource.UpdateReplacePolicy], logicalId).toEqual(['Retain', 'Retain']);
  });

  it('is not termination-protected', () => {
    expect(assembly.getStackByName('lakehouse-dev-storage').terminationProtection).toBeFalsy();
  });
});

describe.each(['dev', 'staging', 'prod'] as const)('%s stacks', (environment) => {
  const { templates, assembly, config } = synthCached(environment);

  it('are named <project>-<env>-<layer>, storage first because every other stack encrypts with its keys', () => {
    const layers = [
      'storage',
      'network',
      'catalog',
      'ingestion',
      'vector',
      'embeddings',
      'operations',
      ...(config.collector.enabled ? ['collector'] : []),
      ...(config.privacy.enabled ? ['privacy'] : []),
      ...(config.backup.disasterRecovery ? ['dr'] : []),
    ];
    expect(Object.keys(templates).sort()).toEqual(layers.map((layer) => `lakehouse-${environment}-${layer}`).sort());
    for (const layer of ['network', 'catalog', 'ingestion', 'vector', 'embeddings', 'operations', ...(config.privacy.enabled ? ['privacy'] : [])]) {
      const stack = assembly.getStackByName(`lakehouse-${environment}-${layer}`);
      expect(stack.dependencies.map((dependency) => dependency.id)).toContain(`lakehouse-${environment}-storage`);
    }
  });

  it('target the configured account and region (dev: environment-agnostic)', () => {
    const stack = assembly.getStackByName(`lakehouse-${environment}-storage`);
    expect(stack.environment.account).toBe(config.account ?? 'unknown-account');
    expect(stack.environment.region).toBe(config.region ?? 'unknown-region');
  });

  it('leave bucket, key, log-group and role names to CloudFormation', () => {
    const nameProperty: Record<string, string> = {
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
      'AWS::EC2::SecurityGroup': 'GroupName',
    };
    // The exceptions: RDS writes its exported logs to /aws/rds/instance/<id>/<log>, so those groups
    // must carry that name to be pre-created (encrypted, with retention).
    // Likewise API Gateway's execution logs (`API-Gateway-Execution-Logs_<api>/<stage>`), and AWS WAF logs
    // only to groups named `aws-waf-logs-…`.
    const serviceNamedLogGroup = (r: { Type: string; Properties?: Record<string, any> }) =>
      r.Type === 'AWS::Logs::LogGroup' && /^(\/aws\/rds\/instance\/|aws-waf-logs-|API-Gateway-Execution-Logs_)/.test(JSON.stringify(r.Properties?.LogGroupName).replace(/^\{"Fn::Join":\["",\["|^"/, ''));
    const named = Object.values(templates).flatMap((template) =>
      Object.entries(template.Resources).filter(
        ([, r]) => nameProperty[r.Type] && r.Properties?.[nameProperty[r.Type]] !== undefined && !serviceNamedLogGroup(r),
      ),
    );
    expect(named.map(([id]) => id)).toEqual([]);
  });

  it('spread the VPC over the configured number of AZs', () => {
    const subnets = Object.values(templates[`lakehouse-${environment}-network`].Resources).filter((r) => r.Type === 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(config.network.maxAzs);
  });
});
