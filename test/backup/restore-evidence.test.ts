import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_METRIC_NAMESPACE } from '../../constructs/backup/recovery-metrics';
import { createHandler, restoreDurationMinutes } from '../../constructs/backup/restore-evidence/handler';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { startBackupServer, type BackupServer, type FakeRestoreJob } from './backup-server';

/**
 * The restore-evidence function with the real AWS SDK: DescribeRestoreJob and PutRestoreValidationResult
 * against a loopback server speaking Backup's wire format (moto has neither); the restored copies are
 * real moto resources (an S3 bucket with objects, an RDS instance), and the metrics go to moto's
 * CloudWatch and are read back. Each test uses its own region.
 */
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const CREATED = new Date('2026-12-04T05:00:00Z');
const NOW = Date.parse('2026-12-04T12:00:00Z');
const PLAN = 'arn:aws:backup:eu-west-1:111111111111:restore-testing-plan:lakehouse_test_restore_tests-abc';
const event = (restoreJobId: string) => ({ 'detail-type': 'Restore Job State Change', detail: { restoreJobId } });
const after = (minutes: number) => new Date(CREATED.getTime() + minutes * 60_000);

describe('restoreDurationMinutes', () => {
  it('is creation to completion, to a tenth of a minute', () => {
    expect(restoreDurationMinutes({ CreationDate: CREATED, CompletionDate: new Date(CREATED.getTime() + 95 * 60_000 + 20_000) }, NOW)).toBe(95.3);
  });
  it('runs to now when AWS reports no completion date, and is unknown without a creation date', () => {
    expect(restoreDurationMinutes({ CreationDate: CREATED }, NOW)).toBe(420);
    expect(restoreDurationMinutes({}, NOW)).toBeUndefined();
  });
});

describe('restore-evidence function (Backup wire format; S3, RDS and CloudWatch on moto)', () => {
  let moto: MotoServer;
  let backupServer: BackupServer;
  const regions = ['eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1', 'us-east-2', 'us-west-2'];
  let regionIndex = 0;

  beforeAll(async () => {
    [moto, backupServer] = await Promise.all([startMotoServer(), startBackupServer()]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), backupServer?.stop()]);
  });

  function setUp() {
    const region = regions[regionIndex++];
    const config = { endpoint: moto.endpoint, region, credentials: CREDENTIALS };
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const rds = new RDSClient(config);
    const cloudwatch = new CloudWatchClient(config);
    const backup = new BackupClient({ endpoint: backupServer.endpoint, region, credentials: CREDENTIALS });
    const run = createHandler({ backup, cloudwatch, s3, rds, now: () => NOW, log: () => undefined });
    async function published(metric: string, resourceType: string): Promise<number[]> {
      const result = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(CREATED.getTime() - 86_400_000),
          EndTime: new Date(NOW + 86_400_000),
          MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: BACKUP_METRIC_NAMESPACE, MetricName: metric, Dimensions: [{ Name: 'ResourceType', Value: resourceType }] }, Period: 60, Stat: 'Maximum' } }],
        }),
      );
      return result.MetricDataResults?.[0]?.Values ?? [];
    }
    const validations = (jobId: string) => backupServer.requests.filter((r) => r.method === 'PUT' && r.url === `/restore-jobs/${jobId}/validations`).map((r) => r.body);
    return { run, s3, rds, published, validations, region };
  }

  const job = (id: string, changes: Partial<FakeRestoreJob>): FakeRestoreJob => ({
    RestoreJobId: id,
    Status: 'COMPLETED',
    ResourceType: 'S3',
    CreationDate: CREATED,
    CompletionDate: after(95),
    CreatedBy: { RestoreTestingPlanArn: PLAN },
    ...changes,
  });

  it('a restored bucket with readable objects: duration, validation passed, result reported to AWS Backup', async () => {
    const { run, s3, published, validations } = setUp();
    await s3.send(new CreateBucketCommand({ Bucket: 'restored-raw-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    for (const key of ['events/dt=2026-12-03/hour=10/a.parquet', 'events/dt=2026-12-03/hour=11/b.parquet']) {
      await s3.send(new PutObjectCommand({ Bucket: 'restored-raw-1', Key: key, Body: 'PAR1' }));
    }
    backupServer.setRestoreJob(job('job-s3-ok', { CreatedResourceArn: 'arn:aws:s3:::restored-raw-1' }));
    const evidence = await run(event('job-s3-ok'));
    expect(evidence).toEqual({
      restoreJobId: 'job-s3-ok',
      status: 'COMPLETED',
      resourceType: 'S3',
      createdResourceArn: 'arn:aws:s3:::restored-raw-1',
      durationMinutes: 95,
      validation: { passed: true, message: 'restored bucket restored-raw-1: 2 objects listed, events/dt=2026-12-03/hour=10/a.parquet readable' },
      reported: true,
      metricsPublished: 2,
    });
    expect(await published('RestoreDurationMinutes', 'S3')).toEqual([95]);
    expect(await published('RestoreValidationFailed', 'S3')).toEqual([0]);
    expect(validations('job-s3-ok')).toEqual([{ ValidationStatus: 'SUCCESSFUL', ValidationStatusMessage: evidence.validation!.message }]);
  });

  it('an empty restored bucket fails validation and is reported FAILED', async () => {
    const { run, s3, published, validations } = setUp();
    await s3.send(new CreateBucketCommand({ Bucket: 'restored-empty', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
    backupServer.setRestoreJob(job('job-s3-empty', { CreatedResourceArn: 'arn:aws:s3:::restored-empty', CompletionDate: after(300) }));
    const evidence = await run(event('job-s3-empty'));
    expect(evidence.validation).toEqual({ passed: false, message: 'restored bucket restored-empty lists no objects' });
    expect(await published('RestoreDurationMinutes', 'S3')).toEqual([300]);
    expect(await published('RestoreValidationFailed', 'S3')).toEqual([1]);
    expect(validations('job-s3-empty')).toEqual([{ ValidationStatus: 'FAILED', ValidationStatusMessage: 'restored bucket restored-empty lists no objects' }]);
  });

  it('a restored bucket that does not exist fails validation with the S3 error', async () => {
    const { run } = setUp();
    backupServer.setRestoreJob(job('job-s3-gone', { CreatedResourceArn: 'arn:aws:s3:::never-created' }));
    const evidence = await run(event('job-s3-gone'));
    expect(evidence.validation?.passed).toBe(false);
    expect(evidence.validation?.message).toMatch(/^restored bucket never-created: NoSuchBucket: /);
  });

  it('a restored database instance that is available passes', async () => {
    const { run, rds, region, published } = setUp();
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'restored-vector', DBInstanceClass: 'db.t4g.micro', Engine: 'postgres', AllocatedStorage: 20, MasterUsername: 'lakehouse', MasterUserPassword: 'not-a-real-password-1' }));
    backupServer.setRestoreJob(job('job-rds', { ResourceType: 'RDS', CreatedResourceArn: `arn:aws:rds:${region}:123456789012:db:restored-vector`, CompletionDate: after(42) }));
    const evidence = await run(event('job-rds'));
    expect(evidence.validation).toEqual({ passed: true, message: 'restored instance restored-vector is available' });
    expect(await published('RestoreDurationMinutes', 'RDS')).toEqual([42]);
    expect(await published('RestoreValidationFailed', 'RDS')).toEqual([0]);
  });

  it('a failed restore counts as a failed validation, is not reported (no copy to validate) and still records its duration', async () => {
    const { run, published, validations } = setUp();
    backupServer.setRestoreJob(job('job-failed', { Status: 'FAILED', StatusMessage: 'Access denied to KMS key', CompletionDate: after(12), CreatedResourceArn: undefined }));
    const evidence = await run(event('job-failed'));
    expect(evidence).toMatchObject({ status: 'FAILED', durationMinutes: 12, validation: { passed: false, message: 'restore job FAILED: Access denied to KMS key' }, reported: false });
    expect(await published('RestoreValidationFailed', 'S3')).toEqual([1]);
    expect(validations('job-failed')).toEqual([]);
  });

  it('a running job publishes nothing; a manual restore (no restore-testing plan) is measured but not reported', async () => {
    const { run, s3, published, validations } = setUp();
    backupServer.setRestoreJob(job('job-running', { Status: 'RUNNING', CompletionDate: undefined }));
    expect(await run(event('job-running'))).toEqual({ restoreJobId: 'job-running', status: 'RUNNING', resourceType: 'S3', createdResourceArn: undefined, reported: false, metricsPublished: 0 });
    expect(await published('RestoreDurationMinutes', 'S3')).toEqual([]);

    await s3.send(new CreateBucketCommand({ Bucket: 'manual-restore', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'manual-restore', Key: 'k', Body: 'x' }));
    backupServer.setRestoreJob(job('job-manual', { CreatedBy: undefined, CreatedResourceArn: 'arn:aws:s3:::manual-restore', CompletionDate: after(30) }));
    const manual = await run(event('job-manual'));
    expect(manual).toMatchObject({ reported: false, durationMinutes: 30, validation: { passed: true } });
    expect(validations('job-manual')).toEqual([]);
  });

  it('refuses an event without a restore job ID', async () => {
    await expect(createHandler({ log: () => undefined })({ detail: {} })).rejects.toThrow('the event carries no detail.restoreJobId');
  });
});
