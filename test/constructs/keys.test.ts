import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../constructs/keys';
import { constructStack } from '../support/construct-stack';

describe('PlatformKeys default settings', () => {
  const stack = constructStack();
  const keys = new PlatformKeys(stack, 'Keys');
  const template = Template.fromStack(stack);

  it('creates lake, catalog, stream, database, backup, notifications and logs keys, each rotating, retained, with a 30-day deletion window', () => {
    template.resourceCountIs('AWS::KMS::Key', 7);
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.PendingWindowInDays).toBe(30);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('admits CloudWatch Logs to the logs key only, limited to log groups of this account and region', () => {
    const logsKeyId = stack.getLogicalId(keys.logsKey.node.defaultChild as kms.CfnKey);
    const lakeKeyId = stack.getLogicalId(keys.lakeKey.node.defaultChild as kms.CfnKey);
    const policies = template.findResources('AWS::KMS::Key');
    const sids = (id: string) => policies[id].Properties.KeyPolicy.Statement.map((s: any) => s.Sid);
    expect(sids(logsKeyId)).toContain('AllowCloudWatchLogsInThisAccount');
    expect(sids(lakeKeyId)).not.toContain('AllowCloudWatchLogsInThisAccount');
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsInThisAccount',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('PlatformKeys overrides', () => {
  it('uses keys it is given and creates none', () => {
    const stack = constructStack();
    const lake = new kms.Key(stack, 'Lake');
    const catalog = new kms.Key(stack, 'Catalog');
    const stream = new kms.Key(stack, 'Stream');
    const database = new kms.Key(stack, 'Database');
    const backup = new kms.Key(stack, 'Backup');
    const notifications = new kms.Key(stack, 'Notifications');
    const logs = new kms.Key(stack, 'Logs');
    const keys = new PlatformKeys(stack, 'Keys', {
      lakeKey: lake,
      catalogKey: catalog,
      streamKey: stream,
      databaseKey: database,
      backupKey: backup,
      notificationsKey: notifications,
      logsKey: logs,
    });
    expect(keys.notificationsKey).toBe(notifications);
    expect(keys.databaseKey).toBe(database);
    expect(keys.backupKey).toBe(backup);
    expect(keys.lakeKey).toBe(lake);
    expect(keys.catalogKey).toBe(catalog);
    expect(keys.streamKey).toBe(stream);
    expect(keys.logsKey).toBe(logs);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 7);
  });

  it('applies a removal policy and deletion window', () => {
    const stack = constructStack();
    new PlatformKeys(stack, 'Keys', { removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7) });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
  });
});
