import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { LakehouseNetwork } from '../../constructs/network';
import { DEFAULT_COLLECTION, RDS_POSTGRES_VERSIONS, VectorStore, pgvectorVersionOf, postgresEngineVersion, type VectorStoreProps } from '../../constructs/vector-store';
import { vectorStoreMigrations } from '../../constructs/vector-store/migrations';
import { constructStack } from '../support/construct-stack';

function build(overrides: Partial<VectorStoreProps> = {}) {
  const stack = constructStack();
  const logsKey = new kms.Key(stack, 'LogsKey');
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: logsKey });
  const store = new VectorStore(stack, 'Vectors', {
    vpc: network.vpc,
    vpcSubnets: network.workloadSubnets,
    vpcCidr: network.cidr,
    secretsManagerEndpoint: network.interfaceEndpoints.secretsmanager!,
    logsKey,
    instanceIdentifier: 'lakehouse-test-vectors',
    ...overrides,
  });
  return {
    stack,
    store,
    network,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

describe('VectorStore default settings', () => {
  const { stack, store, template } = build();
  const [instance] = Object.values(template.findResources('AWS::RDS::DBInstance'));
  const props = instance.Properties;
  const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(store.databaseKey.node.defaultChild as kms.CfnKey), 'Arn'] };

  it('runs RDS for PostgreSQL 17.8 (pgvector 0.8.1) on db.t4g.micro in isolated subnets, not public', () => {
    expect(props.Engine).toBe('postgres');
    expect(props.EngineVersion).toBe('17.8');
    expect(props.DBInstanceClass).toBe('db.t4g.micro');
    expect(props.PubliclyAccessible).toBe(false);
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: Match.anyValue() });
  });

  it('uses gp3 with storage autoscaling, encrypted with the database key', () => {
    expect(props).toMatchObject({ StorageType: 'gp3', AllocatedStorage: '20', MaxAllocatedStorage: 100, StorageEncrypted: true, KmsKeyId: keyArn });
  });

  it('listens on a non-default port, with IAM authentication', () => {
    expect(props.Port).toBe('5433');
    expect(props.EnableIAMDatabaseAuthentication).toBe(true);
  });

  it('forces TLS and logs connections and slow statements through its parameter group', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1', log_connections: '1', log_min_duration_statement: '1000', password_encryption: 'scram-sha-256' }),
    });
  });

  it('exports logs to pre-created KMS-encrypted log groups, and encrypts Performance Insights with the database key', () => {
    expect(props.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    for (const log of ['postgresql', 'upgrade']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/lakehouse-test-vectors/${log}`,
        KmsKeyId: Match.anyValue(),
        RetentionInDays: 365,
      });
    }
    expect(props.EnablePerformanceInsights).toBe(true);
    expect(props.PerformanceInsightsKMSKeyId).toEqual(keyArn);
    expect(props.MonitoringInterval).toBe(60);
  });

  it('is Multi-AZ, deletion-protected, keeps 7 days of backups and is snapshotted on removal', () => {
    expect(props).toMatchObject({ MultiAZ: true, DeletionProtection: true, BackupRetentionPeriod: 7, CopyTagsToSnapshot: true });
    expect(instance.DeletionPolicy).toBe('Snapshot');
    expect(instance.UpdateReplacePolicy).toBe('Snapshot');
  });

  it('keeps its credentials in a secret encrypted with the database key, rotated every 30 days in the VPC', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ vpcSecurityGroupIds: Match.anyValue(), vpcSubnetIds: Match.anyValue(), endpoint: Match.anyValue() }),
    });
  });

  it('admits only the bootstrap and rotation functions, on the literal port', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroupIngress');
    const ingress = Object.values(groups).filter((rule) => JSON.stringify(rule.Properties.GroupId).includes('DatabaseSecurityGroup'));
    expect(ingress).toHaveLength(2);
    for (const rule of ingress) expect([rule.Properties.FromPort, rule.Properties.ToPort]).toEqual([5433, 5433]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Vector store bootstrap: the database port and HTTPS to the interface endpoints only',
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443 })]),
    });
  });

  it('bootstraps through a Provider with isComplete, in the VPC, never deleting on removal', () => {
    template.hasResource('Custom::VectorStoreBootstrap', { DeletionPolicy: 'Retain' });
    const [bootstrap] = Object.values(template.findResources('Custom::VectorStoreBootstrap'));
    expect(JSON.stringify(bootstrap.Properties.Collections)).toContain(DEFAULT_COLLECTION.name);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const ours = functions.filter((fn) => String(fn.Properties.Description ?? '').startsWith('Vector store bootstrap'));
    expect(ours.map((fn) => fn.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    // Every function of the vector store (handlers, Provider framework) runs in the VPC.
    const vectorFunctions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('Vectors'));
    expect(vectorFunctions.length).toBeGreaterThanOrEqual(5);
    for (const [id, fn] of vectorFunctions) expect(fn.Properties.VpcConfig, id).toBeDefined();
    for (const fn of ours) {
      expect(fn.Properties.VpcConfig).toBeDefined();
      expect(fn.Properties.DeadLetterConfig).toBeDefined();
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(2);
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
  });

  it('grantConnect allows rds-db:connect as the role the migrations create, and the environment contract names it', () => {
    const fresh = build();
    const role = new iam.Role(fresh.stack, 'App', { assumedBy: new iam.AccountRootPrincipal() });
    fresh.store.grantConnect(role, 'readOnly');
    const statements = JSON.stringify(Template.fromStack(fresh.stack).findResources('AWS::IAM::Policy'));
    expect(statements).toContain('rds-db:connect');
    expect(statements).toContain(':dbuser:');
    expect(statements).toContain('/vectors_readonly');
    expect(statements).not.toContain('vectors_readwrite');
    // The bootstrap creates exactly these roles; a mismatch would grant IAM sign-in as a role that does not exist.
    const roleMigration = vectorStoreMigrations([DEFAULT_COLLECTION], { databaseName: 'vectors' }).find((m) => m.version === '0002_roles')!;
    expect(roleMigration.statements.join('\n')).toContain('CREATE ROLE "vectors_readonly" LOGIN');
    expect(roleMigration.statements.join('\n')).toContain('CREATE ROLE "vectors_readwrite" LOGIN');
    expect(stack.resolve(store.environment('readWrite'))).toMatchObject({ PGPORT: '5433', PGDATABASE: 'vectors', PGSSLMODE: 'verify-full', PGUSER: 'vectors_readwrite' });
  });
});

describe('VectorStore refuses', () => {
  it('the default PostgreSQL port', () => {
    expect(() => build({ port: 5432 })).toThrow("use a port other than PostgreSQL's default 5432");
  });
  it('a storage-autoscaling ceiling less than 10 % above the allocation', () => {
    expect(() => build({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 })).toThrow(
      '  - maxAllocatedStorageGiB: got 105; must be at least 110, 10 % above allocatedStorageGiB (100): RDS refuses a lower autoscaling ceiling',
    );
  });
  it('versions not in the table, naming the ones that are', () => {
    expect(() => build({ engineVersion: '15.4' as never })).toThrow('RDS for PostgreSQL 15.4 is not in the table of supported versions');
  });
  it('versions whose pgvector predates 0.8.0', () => {
    expect(() => postgresEngineVersion('16.4')).toThrow('ships pgvector 0.7.3; the vector store needs 0.8.0 or later');
  });
  it('nothing at exactly pgvector 0.8.0, and reports the pgvector of each version from the table', () => {
    expect(postgresEngineVersion('16.6').postgresFullVersion).toBe('16.6');
    expect(pgvectorVersionOf('17.8')).toBe('0.8.1'); // the default the README names
    expect(pgvectorVersionOf('16.3')).toBe('0.7.0');
    const accepted = RDS_POSTGRES_VERSIONS.filter((row) => {
      try {
        postgresEngineVersion(row.engine);
        return true;
      } catch {
        return false;
      }
    });
    expect(accepted.map((row) => pgvectorVersionOf(row.engine))).not.toContain('0.7.3');
    expect(RDS_POSTGRES_VERSIONS.length - accepted.length).toBe(2); // 16.3 and 16.4
  });
  it('invalid collections', () => {
    expect(() => build({ collections: [{ ...DEFAULT_COLLECTION, dimensions: 0 }] })).toThrow(/dimensions/);
  });
});

describe('VectorStore options', () => {
  it('DESTROY removes the instance without a snapshot (dev opt-in)', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, multiAz: false });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ MultiAZ: false, DeletionProtection: false }) });
  });

  it('the version table names its source and every row has a pgvector version', () => {
    for (const row of RDS_POSTGRES_VERSIONS) expect(row.pgvector).toMatch(/^0\.\d+\.\d+$/);
  });
});
