import { BackupClient } from '@aws-sdk/client-backup';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, newestRecoveryTime, RecoveryPointAgeError } from '../../constructs/backup/recovery-point-age/handler';
import { BACKUP_METRIC_NAMESPACE } from '../../constructs/backup/recovery-metrics';
import { startMotoServer, type MotoServer } from '../support/moto-server';
import { startBackupServer, type BackupServer, type FakeRecoveryPoint } from './backup-server';

/**
 * The recovery-point age function with the real AWS SDK: Backup against a loopback server speaking its
 * wire format (moto lacks ListRecoveryPointsByBackupVault), CloudWatch against moto (PutMetricData, read
 * back with ListMetrics and GetMetricData). Each test uses its own region, so moto's backends are fresh.
 */
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const VAULT = 'lakehouse-test';
const NOW = Date.parse('2026-12-04T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000);
const RAW = 'arn:aws:s3:::lakehouse-test-raw';
const DB = 'arn:aws:rds:eu-west-1:111111111111:db:vector';
const RESOURCES = [
  { name: 'bucket-raw', arn: RAW, type: 'S3' },
  { name: 'database', arn: DB, type: 'RDS' },
];
const point = (resourceArn: string, id: string, status: string, completedMinutesAgo: number): FakeRecoveryPoint => ({
  RecoveryPointArn: `arn:aws:backup:eu-west-1:111111111111:recovery-point:${id}`,
  ResourceArn: resourceArn,
  Status: status,
  CreationDate: minutesAgo(completedMinutesAgo + 10),
  CompletionDate: minutesAgo(completedMinutesAgo),
});

describe('newestRecoveryTime', () => {
  it('takes the newest completed or available snapshot, by completion time', () => {
    const points = [point(RAW, 'a', 'COMPLETED', 300), point(RAW, 'b', 'AVAILABLE', 90), point(RAW, 'c', 'COMPLETED', 600)];
    expect(newestRecoveryTime(points as never, NOW)).toBe(NOW - 90 * 60_000);
  });

  it('ignores partial, expired, deleting, creating and stopped points', () => {
    const points = ['PARTIAL', 'EXPIRED', 'DELETING', 'CREATING', 'STOPPED'].map((status, index) => point(RAW, `x${index}`, status, 5));
    expect(newestRecoveryTime([...points, point(RAW, 'old', 'COMPLETED', 2000)] as never, NOW)).toBe(NOW - 2000 * 60_000);
    expect(newestRecoveryTime(points as never, NOW)).toBeUndefined();
  });

  it('an active continuous backup restores to now; a stopped one does not count', () => {
    const continuous = (status: string) => ({ ...point(RAW, 'continuous:lakehouse-test-raw-1a2b', status, 40_000) });
    expect(newestRecoveryTime([continuous('COMPLETED'), point(RAW, 'd', 'COMPLETED', 1440)] as never, NOW)).toBe(NOW);
    expect(newestRecoveryTime([continuous('STOPPED'), point(RAW, 'd', 'COMPLETED', 1440)] as never, NOW)).toBe(NOW - 1440 * 60_000);
  });

  it('falls back to the creation date when AWS gives no completion date', () => {
    const created = { ...point(RAW, 'e', 'COMPLETED', 30), CompletionDate: undefined };
    expect(newestRecoveryTime([created] as never, NOW)).toBe(NOW - 40 * 60_000);
  });
});

describe('recovery-point age function (Backup wire format, CloudWatch on moto)', () => {
  let moto: MotoServer;
  let backupServer: BackupServer;
  const regions = ['eu-west-1', 'eu-west-2', 'eu-central-1'];
  let regionIndex = 0;

  beforeAll(async () => {
    [moto, backupServer] = await Promise.all([startMotoServer(), startBackupServer()]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), backupServer?.stop()]);
  });

  function setUp(resources = RESOURCES) {
    const region = regions[regionIndex++];
    const cloudwatch = new CloudWatchClient({ endpoint: moto.endpoint, region, credentials: CREDENTIALS });
    const backup = new BackupClient({ endpoint: backupServer.endpoint, region, credentials: CREDENTIALS });
    const run = createHandler({ backup, cloudwatch, now: () => NOW, log: () => undefined, env: { VAULT_NAME: VAULT, PROTECTED_RESOURCES: JSON.stringify(resources) } });
    async function published(resource: string): Promise<number[]> {
      const result = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(NOW - 3_600_000),
          EndTime: new Date(NOW + 3_600_000),
          MetricDataQueries: [
            {
              Id: 'age',
              MetricStat: { Metric: { Namespace: BACKUP_METRIC_NAMESPACE, MetricName: 'RecoveryPointAgeMinutes', Dimensions: [{ Name: 'Resource', Value: resource }] }, Period: 60, Stat: 'Maximum' },
            },
          ],
        }),
      );
      return result.MetricDataResults?.[0]?.Values ?? [];
    }
    return { run, cloudwatch, published };
  }

  it('publishes each resource\'s age in minutes, following NextToken through every page', async () => {
    // Five points for the bucket (three pages of two), the newest on the last page.
    backupServer.setVault(VAULT, [
      point(RAW, 'r1', 'COMPLETED', 2000),
      point(RAW, 'r2', 'COMPLETED', 1500),
      point(RAW, 'r3', 'EXPIRED', 1),
      point(RAW, 'r4', 'COMPLETED', 1000),
      point(RAW, 'r5', 'COMPLETED', 45),
      point(DB, 'd1', 'COMPLETED', 75),
    ]);
    const { run, published } = setUp();
    const report = await run();
    expect(report.resources).toEqual([
      { name: 'bucket-raw', arn: RAW, type: 'S3', newest: minutesAgo(45).toISOString(), ageMinutes: 45 },
      { name: 'database', arn: DB, type: 'RDS', newest: minutesAgo(75).toISOString(), ageMinutes: 75 },
    ]);
    expect(report.metricsPublished).toBe(2);
    expect(await published('bucket-raw')).toEqual([45]);
    expect(await published('database')).toEqual([75]);
    const bucketPages = backupServer.requests.filter((r) => r.url.includes(encodeURIComponent(RAW)));
    expect(bucketPages.map((r) => new URL(r.url, 'http://x').searchParams.get('nextToken'))).toEqual([null, '2', '4']);
  });

  it('publishes nothing for a resource without a usable point, so the alarm\'s missing data breaches', async () => {
    backupServer.setVault(VAULT, [point(RAW, 'r1', 'PARTIAL', 5), point(DB, 'd1', 'COMPLETED', 10)]);
    const { run, cloudwatch, published } = setUp();
    const report = await run();
    expect(report.resources[0]).toEqual({ name: 'bucket-raw', arn: RAW, type: 'S3', problem: 'no usable recovery point in the vault' });
    expect(await published('database')).toEqual([10]);
    const metrics = await cloudwatch.send(new ListMetricsCommand({ Namespace: BACKUP_METRIC_NAMESPACE }));
    expect(metrics.Metrics?.map((m) => m.Dimensions?.[0]?.Value)).toEqual(['database']);
  });

  it('publishes what it could and then fails the invocation when one resource cannot be listed', async () => {
    backupServer.setVault(VAULT, [point(RAW, 'r1', 'COMPLETED', 5), point(DB, 'd1', 'COMPLETED', 20)]);
    backupServer.failListingOf(RAW);
    try {
      const { run, published } = setUp();
      const failure = await run().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(RecoveryPointAgeError);
      expect((failure as Error).message).toBe('could not list recovery points of bucket-raw');
      expect((failure as RecoveryPointAgeError).report.resources[0].problem).toMatch(/^listing failed: ServiceUnavailableException/);
      expect(await published('database')).toEqual([20]);
    } finally {
      backupServer.failListingOf(undefined);
    }
  });

  it('refuses a missing or malformed resource list before calling AWS', async () => {
    const run = (env: Record<string, string>) => createHandler({ env, log: () => undefined })();
    await expect(run({ PROTECTED_RESOURCES: '[]' })).rejects.toThrow('VAULT_NAME is not set');
    await expect(run({ VAULT_NAME: VAULT, PROTECTED_RESOURCES: '[]' })).rejects.toThrow('PROTECTED_RESOURCES must be a non-empty JSON array');
    await expect(run({ VAULT_NAME: VAULT, PROTECTED_RESOURCES: '{' })).rejects.toThrow('PROTECTED_RESOURCES is not JSON');
  });
});
