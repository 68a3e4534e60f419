import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BYTES_SCANNED_CUTOFF, LakehouseCatalog, type LakehouseCatalogProps } from '../../constructs/catalog';
import { parquetTableParameters } from '../../constructs/datasets';
import { LakehouseNetwork } from '../../constructs/network';
import { DataLakeStorage } from '../../constructs/storage';
import { dailyActiveUsers } from '../../config/datasets/analytics';
import { clientErrors } from '../../config/datasets/client-errors';
import { events } from '../../config/datasets/events';
import { constructStack } from '../support/construct-stack';

function build(overrides: Partial<LakehouseCatalogProps> = {}) {
  const stack = constructStack();
  const keys = { catalog: new kms.Key(stack, 'CatalogKey', { enableKeyRotation: true }), logs: new kms.Key(stack, 'LogsKey') };
  const storage = new DataLakeStorage(stack, 'Lake');
  const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: keys.logs });
  const catalog = new LakehouseCatalog(stack, 'Catalog', {
    databaseNamePrefix: 'lakehouse_test',
    zoneBuckets: storage.zoneBuckets,
    datasets: [events, clientErrors, dailyActiveUsers],
    resultsBucket: storage.athenaResultsBucket,
    resultsKey: storage.encryptionKey,
    workgroupNames: ['lakehouse-test-engineering', 'lakehouse-test-analyst'],
    catalogKey: keys.catalog,
    iceberg: { vpc: network.vpc, vpcSubnets: network.workloadSubnets, workgroupName: 'lakehouse-test-engineering', logsKey: keys.logs },
    ...overrides,
  });
  return {
    stack,
    storage,
    catalog,
    keys,
    /** Synthesizes on first use, so callers can add to the stack before. */
    get template() {
      return Template.fromStack(stack);
    },
  };
}

describe('LakehouseCatalog default settings', () => {
  const { stack, storage, catalog, template } = build();
  const bucketRef = (zone: string) => ({ Ref: stack.getLogicalId(storage.bucket(zone).node.defaultChild as any) });

  it('creates one Glue database per zone, named <prefix>_<zone>, located at the zone bucket, retained', () => {
    for (const zone of ['raw', 'curated', 'analytics']) {
      template.hasResource('AWS::Glue::Database', {
        DeletionPolicy: 'Retain',
        Properties: {
          DatabaseInput: { Name: `lakehouse_test_${zone}`, LocationUri: { 'Fn::Join': ['', ['s3://', bucketRef(zone), '/']] } },
        },
      });
    }
    template.resourceCountIs('AWS::Glue::Database', 3);
  });

  it('creates a CloudFormation table per Parquet dataset, with the contract parameters and projection', () => {
    template.resourceCountIs('AWS::Glue::Table', 2);
    const tables = template.findResources('AWS::Glue::Table');
    const eventsTable = Object.values(tables).find((t) => t.Properties.TableInput.Name === 'events')!;
    const input = eventsTable.Properties.TableInput;
    expect(eventsTable.Properties.DatabaseName).toBe('lakehouse_test_raw');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.PartitionKeys.map((k: any) => `${k.Name}:${k.Type}`)).toEqual(['dt:string', 'hour:int']);
    expect(input.StorageDescriptor.Columns.map((c: any) => c.Name)).toEqual(events.columns.map((c) => c.name));
    expect(input.StorageDescriptor.Columns[1].Comment).toBe('Identifier of the user who triggered the event [pii]');
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    // Every parameter the contract derives, with the bucket name as a reference.
    const expected = parquetTableParameters(events, '@@BUCKET@@');
    for (const [key, value] of Object.entries(expected)) {
      if (!value.includes('@@BUCKET@@')) expect(input.Parameters[key], key).toBe(value);
    }
    expect(input.Parameters['storage.location.template']).toEqual({
      'Fn::Join': ['', ['s3://', bucketRef('raw'), '/events/dt=${dt}/hour=${hour}/']],
    });
  });

  it('creates Iceberg tables as custom resources with an Athena DDL spec, retained, never as Glue tables', () => {
    template.hasResource('Custom::IcebergTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const [resource] = Object.values(template.findResources('Custom::IcebergTable'));
    expect(resource.Properties.WorkGroup).toBe('lakehouse-test-engineering');
    const spec = JSON.stringify(resource.Properties.Spec);
    expect(spec).toContain('daily_active_users');
    expect(spec).toContain('month(activity_date)');
    expect(spec).toContain('ICEBERG');
    expect(catalog.tables.has('daily_active_users')).toBe(true);
  });

  it('runs the DDL function in the VPC, with its own role, a DLQ, reserved concurrency and an encrypted log group', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('Iceberg') } });
    const [fn] = Object.values(functions);
    expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
    expect(fn.Properties.DeadLetterConfig).toBeDefined();
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Timeout).toBe(840);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });

  it('runs the Provider framework in the VPC too, with its own role', () => {
    const framework = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description ?? '').includes('onEvent'),
    )!;
    expect(framework.Properties.VpcConfig).toBeDefined();
    expect(JSON.stringify(framework.Properties.Role)).toContain('IcebergFrameworkRole');
  });

  it('creates workgroups with enforced settings, engine 3, metrics, SSE_KMS results under their own prefix and a 10 GiB cutoff', () => {
    for (const name of ['lakehouse-test-engineering', 'lakehouse-test-analyst']) {
      template.hasResource('AWS::Athena::WorkGroup', {
        DeletionPolicy: 'Delete',
        Properties: {
          Name: name,
          State: 'ENABLED',
          RecursiveDeleteOption: false,
          WorkGroupConfiguration: {
            EnforceWorkGroupConfiguration: true,
            PublishCloudWatchMetricsEnabled: true,
            BytesScannedCutoffPerQuery: DEFAULT_BYTES_SCANNED_CUTOFF,
            EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
            ResultConfiguration: {
              OutputLocation: { 'Fn::Join': ['', ['s3://', Match.anyValue(), `/${name}/`]] },
              EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
            },
          },
        },
      });
    }
  });

  it('adds the six named queries over events to every workgroup, against the raw database', () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery'));
    expect(queries).toHaveLength(12);
    for (const query of queries) {
      expect(query.Properties.Database).toBe('lakehouse_test_raw');
      expect(query.Properties.QueryString).toContain('lakehouse_test_raw.events');
    }
  });

  it('leaves the account-wide catalog encryption alone unless asked', () => {
    template.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
  });
});

describe('LakehouseCatalog options', () => {
  it('encryptCatalog turns on SSE-KMS at rest and connection-password encryption with the catalog key', () => {
    const { template } = build({ encryptCatalog: true });
    template.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: { CatalogEncryptionMode: 'SSE-KMS', SseAwsKmsKeyId: Match.anyValue() },
        ConnectionPasswordEncryption: { ReturnConnectionPasswordEncrypted: true, KmsKeyId: Match.anyValue() },
      },
    });
  });

  it('with DESTROY, workgroups delete recursively and databases are not retained', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    template.hasResourceProperties('AWS::Athena::WorkGroup', { RecursiveDeleteOption: true });
    template.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Delete' });
  });

  it('refuses a cutoff under 10 MB, Iceberg datasets without DDL settings, and unknown zones', () => {
    expect(() => build({ bytesScannedCutoffPerQuery: 1000 })).toThrow('bytesScannedCutoffPerQuery must be at least 10000000');
    expect(() => build({ iceberg: undefined })).toThrow('Iceberg datasets (daily_active_users) need the iceberg prop');
    expect(() => build({ datasets: [{ ...events, zone: 'gold' }] })).toThrow('dataset events is in zone "gold", which has no bucket here');
  });
});

describe('grantRunQueries', () => {
  const { stack, catalog } = build();
  const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  catalog.grantRunQueries(role, 'lakehouse-test-analyst', { zones: ['raw'] });
  const statements = Template.fromStack(stack)
    .findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] } });
  const all = Object.values(statements).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const json = JSON.stringify(all);

  it('allows Athena on its workgroup only', () => {
    const athena = all.find((s: any) => [s.Action].flat().includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena.Resource)).toContain('workgroup/lakehouse-test-analyst');
    expect(JSON.stringify(athena.Resource)).not.toContain('engineering');
  });

  it('reads the catalog, the zone database and every table in it (one wildcard per database), nothing else', () => {
    expect(json).toContain('database/lakehouse_test_raw');
    // Tables are not named one by one: the policy stays one size as datasets are added (Lake Formation decides per table).
    expect(json.match(/:table\/[^"]*/g)).toEqual([':table/lakehouse_test_raw/*']);
    expect(json).not.toContain('lakehouse_test_analytics');
    expect(json).not.toMatch(/glue:\*/);
  });

  it('writes results under its own prefix only, with the results key, and reaches data through Lake Formation', () => {
    expect(json).toContain('/lakehouse-test-analyst/*');
    expect(json).toContain('lakeformation:GetDataAccess');
    expect(json).toContain('kms:GenerateDataKey');
    // No direct S3 read of the data: that would bypass Lake Formation's column checks.
    expect(json).not.toMatch(/events\/\*|client_errors\/\*/);
    expect(json).not.toMatch(/"s3:GetObject"[^}]*(events|client_errors)/);
  });

  it('with direct S3 access, names each table\'s prefix of the zone bucket (IAM is the only gate there)', () => {
    const direct = build();
    const reader = new iam.Role(direct.stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    direct.catalog.grantRunQueries(reader, 'lakehouse-test-analyst', { zones: ['raw'], directS3Access: true });
    const policies = Template.fromStack(direct.stack).findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: direct.stack.getLogicalId(reader.node.defaultChild as iam.CfnRole) }] },
    });
    const text = JSON.stringify(Object.values(policies).map((policy) => policy.Properties.PolicyDocument));
    expect(text).toMatch(/events\/\*/);
    expect(text).toMatch(/client_errors\/\*/);
  });

  it('refuses unknown workgroups and zones', () => {
    expect(() => catalog.grantRunQueries(role, 'nope')).toThrow('no workgroup "nope"');
    expect(() => catalog.grantRunQueries(role, 'lakehouse-test-analyst', { zones: ['gold'] })).toThrow('no zone "gold"');
  });
});
