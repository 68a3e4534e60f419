import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ValidationReport } from '../../constructs/common/validation-report';
import type { PrivacyErasureProps } from '../../constructs/privacy';
import { actionsOf, build, ELT, SETTINGS, statementsOf } from './erasure-fixture';
import { PLAN } from './plan-fixture';
import { DATASETS } from '../../config/datasets';
import { longestSnapshotRetention } from '../../lib/stacks/privacy-stack';

describe('PrivacyErasure default settings', () => {
  const { erasure, template, id } = build();

  it('keeps requests in a KMS-encrypted, point-in-time-recoverable, deletion-protected DynamoDB table keyed by requestId, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [id(erasure.key), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('locks the ledger bucket by default (Object Lock, compliance, the configured days), versions it and always retains it', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } },
        VersioningConfiguration: { Status: 'Enabled' },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('keeps work files two days and noncurrent versions one day, KMS-encrypted and versioned', () => {
    const work = template.findResources('AWS::S3::Bucket')[id(erasure.workBucket)];
    expect(work.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(erasure.key), 'Arn'] } });
    expect(work.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 2, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]),
    );
  });

  it('generates the salt as 64 hex characters, encrypted with the privacy key and retained', () => {
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [id(erasure.key), 'Arn'] },
        GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: 'ghijklmnopqrstuvwxyz' }),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('declares erasure_subjects: subject_id, injected batch_id projection, JSON SerDe, under the work bucket\'s subjects/', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'lakehouse_test_privacy' } });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'lakehouse_test_privacy',
      TableInput: Match.objectLike({
        Name: 'erasure_subjects',
        PartitionKeys: [Match.objectLike({ Name: 'batch_id', Type: 'string' })],
        Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.batch_id.type': 'injected' }),
        StorageDescriptor: Match.objectLike({ Columns: [Match.objectLike({ Name: 'subject_id', Type: 'string' })], SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }) }),
      }),
    });
  });

  it('runs every handler in the VPC with a dead-letter queue, reserved concurrency and its own KMS log group', () => {
    const functions = Object.values(erasure.functions);
    expect(functions).toHaveLength(11);
    const resources = template.findResources('AWS::Lambda::Function');
    for (const fn of functions) {
      const properties = resources[id(fn.function)].Properties;
      expect(properties.VpcConfig.SubnetIds.length).toBeGreaterThan(0);
      expect(properties.DeadLetterConfig).toBeDefined();
      expect(properties.ReservedConcurrentExecutions).toBe(1);
      expect(properties.LoggingConfig.LogGroup).toEqual({ Ref: id(fn.logGroup) });
    }
  });

  it('signs forget-vectors in as <db>_privacy, the role the vector store migration creates', () => {
    expect(erasure.databaseRoleName).toBe('vectors_privacy');
    const env = template.findResources('AWS::Lambda::Function')[id(erasure.functions['forget-vectors'].function)].Properties.Environment.Variables;
    expect(env.PGUSER).toBe('vectors_privacy');
    const connect = statementsOf(template, id(erasure.functions['forget-vectors'].role)).find((statement) => actionsOf(statement).includes('rds-db:connect'));
    expect(JSON.stringify(connect?.Resource)).toContain('vectors_privacy');
  });

  it('logs every execution transition to a KMS log group without execution data, traces with X-Ray, and stops after 12 hours', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
      TracingConfiguration: { Enabled: true },
    });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"TimeoutSeconds\\":43200');
  });

  it('schedules the workflow per config, the deadline monitor hourly, the physical check daily and the report monthly', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map((rule) => rule.Properties.ScheduleExpression).sort();
    expect(rules).toEqual(['cron(0 3 * * ? *)', 'cron(0 5 * * ? *)', 'cron(0 6 1 * ? *)', 'rate(1 hour)']);
  });
});

describe('PrivacyErasure least privilege', () => {
  const { erasure, template, id } = build();
  const workflow = statementsOf(template, id(erasure.role));
  const bySid = (sid: string) => workflow.find((statement) => statement.Sid === sid)!;

  it('lets VACUUM delete the Iceberg table\'s files (without s3:DeleteObject it succeeds and deletes nothing)', () => {
    expect(actionsOf(bySid('ForgetInIceberg'))).toEqual(expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:GetObject']));
    expect(JSON.stringify(bySid('ForgetInIceberg').Resource)).toContain('/events_curated/*');
    expect(JSON.stringify(bySid('ForgetInIceberg').Resource)).not.toContain('/events/*');
  });

  it('only reads the Parquet dataset in Athena (its rewrite is the function\'s job)', () => {
    expect(actionsOf(bySid('FindInParquet'))).toEqual(['s3:GetObject']);
  });

  it('runs queries in the one workgroup and commits only the Iceberg tables in Glue', () => {
    expect(bySid('RunQueries').Resource).toBe('arn:aws:athena:eu-west-1:111111111111:workgroup/lakehouse-test-engineering');
    expect(JSON.stringify(bySid('CommitIceberg').Resource)).toContain('table/lakehouse_test_curated/events_curated');
    expect(JSON.stringify(bySid('CommitIceberg').Resource)).not.toContain('lakehouse_test_raw');
  });

  it('grants Lake Formation SELECT/INSERT/DELETE/ALTER on Iceberg tables, SELECT on Parquet tables and on erasure_subjects', () => {
    const grants = Object.values(template.findResources('AWS::LakeFormation::PrincipalPermissions')).map((grant) => ({
      table: grant.Properties.Resource.Table.Name,
      permissions: grant.Properties.Permissions,
    }));
    expect(grants).toEqual(
      expect.arrayContaining([
        { table: 'erasure_subjects', permissions: ['SELECT', 'DESCRIBE'] },
        { table: 'events', permissions: ['SELECT', 'DESCRIBE'] },
        { table: 'events_curated', permissions: ['SELECT', 'INSERT', 'DELETE', 'ALTER', 'DESCRIBE'] },
      ]),
    );
  });

  it('lets the rewrite function remove older versions of raw objects only, and the ELT guard list only the ELT\'s executions', () => {
    const rewrite = statementsOf(template, id(erasure.functions['rewrite-objects'].role)).find((statement) => statement.Sid === 'RewriteRawObjects')!;
    expect(actionsOf(rewrite)).toEqual(expect.arrayContaining(['s3:DeleteObjectVersion', 's3:PutObject']));
    expect(JSON.stringify(rewrite.Resource)).toContain('/events/*');
    expect(JSON.stringify(rewrite.Resource)).not.toContain('events_curated');
    const guard = statementsOf(template, id(erasure.functions['elt-guard'].role)).find((statement) => statement.Sid === 'ListEltExecutions')!;
    expect(guard).toMatchObject({ Action: 'states:ListExecutions', Resource: ELT });
  });

  it('invokes exactly the eight workflow functions, unqualified', () => {
    const invoke = bySid('InvokeFunctions');
    expect([invoke.Resource].flat()).toHaveLength(8);
    expect(JSON.stringify(invoke.Resource)).not.toContain(':*');
  });
});

describe('PrivacyErasure removal and locks', () => {
  it('in a disposable environment: the table and work bucket are destroyed, the ledger, its key and the salt kept', () => {
    const { template, erasure, id } = build({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false, settings: { ...SETTINGS, ledger: { mode: 'governance', retentionDays: 1 } } });
    const resources = template.toJSON().Resources;
    expect(resources[id(erasure.requestTable)].DeletionPolicy).toBe('Delete');
    expect(resources[id(erasure.workBucket)].DeletionPolicy).toBe('Delete');
    expect(resources[id(erasure.ledgerBucket)].DeletionPolicy).toBe('Retain');
    expect(resources[id(erasure.ledgerBucket)].Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({ Mode: 'GOVERNANCE', Days: 1 });
    expect(resources[id(erasure.key)].DeletionPolicy).toBe('Retain');
    expect(resources[id(erasure.saltSecret)].DeletionPolicy).toBe('Retain');
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toEqual([]);
  });
});

describe('PrivacyErasure bad props', () => {
  const refuse = (overrides: Partial<PrivacyErasureProps>): string => {
    try {
      build(overrides);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationReport);
      return (error as Error).message;
    }
    throw new Error('the props were accepted');
  };
  it.each([
    ['a batch of 0', { settings: { ...SETTINGS, batchSize: 0 } }, 'settings.batchSize'],
    ['a fractional snapshot horizon', { snapshotRetentionDays: 2.5 }, 'snapshotRetentionDays'],
    ['a schedule EventBridge refuses', { settings: { ...SETTINGS, schedule: 'cron(0 3 * * * *)' } }, 'settings.schedule'],
    ['a deadline of 120 days', { settings: { ...SETTINGS, deadlines: { gdprDays: 120, ccpaDays: 45 } } }, 'settings.deadlines.gdprDays'],
    ['an alarm as early as the deadline', { settings: { ...SETTINGS, alarmDaysBeforeDeadline: 30 } }, 'settings.alarmDaysBeforeDeadline'],
    ['a lock mode S3 lacks', { settings: { ...SETTINGS, ledger: { mode: 'legal-hold' as never, retentionDays: 1 } } }, 'settings.ledger.mode'],
    ['a lock of 0 days', { settings: { ...SETTINGS, ledger: { mode: 'governance' as const, retentionDays: 0 } } }, 'settings.ledger.retentionDays'],
    ['an upper-case database', { databaseName: 'Privacy' }, 'databaseName'],
    ['a plan entry without keys', { plan: [{ ...PLAN[0], keyColumns: [] }] }, 'plan[0].keyColumns'],
  ])('refuses %s, naming the field', (_title, overrides, field) => {
    const message = refuse(overrides as Partial<PrivacyErasureProps>);
    expect(message).toContain(`PrivacyErasure (ConstructUnderTest/Erasure)`);
    expect(message).toContain(field);
  });
});

describe('PrivacyErasure snapshot horizon', () => {
  /** The environment of every erasure function, from the template. */
  const environments = (template: ReturnType<typeof build>['template']) =>
    Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, string> } } }).Properties.Environment?.Variables ?? {})
      .filter((variables) => 'PRIVACY_SETTINGS' in variables);

  it('hands the longest Iceberg snapshot retention to the handlers and looks back past it', () => {
    const long = environments(build({ snapshotRetentionDays: 100 }).template);
    expect(long.length).toBeGreaterThan(0);
    for (const variables of long) {
      expect(JSON.parse(variables.PRIVACY_SETTINGS as string)).toMatchObject({ snapshotRetentionDays: 100 });
      expect(variables.PHYSICAL_CHECK_LOOKBACK_DAYS).toBe('130');
    }
    // The look-back never exceeds what the handler accepts (3,650 days), however long the retention.
    for (const variables of environments(build({ snapshotRetentionDays: 3_640 }).template)) expect(variables.PHYSICAL_CHECK_LOOKBACK_DAYS).toBe('3650');
    for (const variables of environments(build().template)) {
      expect(JSON.parse(variables.PRIVACY_SETTINGS as string)).toMatchObject({ snapshotRetentionDays: 5 });
      expect(variables.PHYSICAL_CHECK_LOOKBACK_DAYS).toBe('90');
    }
  });

  it('the stack takes the longest retention among the planned Iceberg datasets only', () => {
    const iceberg = (name: string, days?: number) => ({ ...DATASETS.find((d) => d.name === 'events_curated')!, name, ...(days ? { iceberg: { snapshotRetentionDays: days } } : {}) });
    expect(longestSnapshotRetention([iceberg('a', 30), iceberg('b', 12)], ['a', 'b'])).toBe(30);
    expect(longestSnapshotRetention([iceberg('a', 30), iceberg('b', 12)], ['b'])).toBe(12);
    expect(longestSnapshotRetention([iceberg('a')], ['a'])).toBe(5);
    expect(longestSnapshotRetention(DATASETS, [])).toBe(5);
  });
});
