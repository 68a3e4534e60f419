import type { EnvironmentConfigInput } from '../schema';

/**
 * staging: mirrors prod at a smaller size. The account is a placeholder: replace it with yours.
 * The availability zones its offline synthesis needs are committed in cdk.context.json.
 */
export const staging: EnvironmentConfigInput = {
  name: 'staging',
  account: '111111111111',
  region: 'eu-west-1',
  owner: 'data-platform-team',
  costCenter: 'cc-0000-staging',
  tags: { tier: 'pre-production' },
  logRetentionDays: 90,
  removalPolicy: 'retain',
  network: {
    cidr: '10.20.0.0/16',
    maxAzs: 2,
    natGateways: 0,
    flowLogRetentionDays: 90,
  },
  ingestion: { streamMode: 'on-demand', streamRetentionHours: 72 },
  backup: {
    breakGlassRoleArn: 'arn:aws:iam::111111111111:role/BackupBreakGlass',
    continuousRetentionDays: 14,
    dailyRetentionDays: 35,
  },
  operations: { alarmEmails: ['data-platform-team@example.com'] },
  vectorStore: { instanceClass: 't4g.medium', multiAz: true, deletionProtection: true, backupRetentionDays: 7 },
  storage: {
    zones: [
      {
        name: 'raw',
        transitions: [{ storageClass: 'STANDARD_IA', afterDays: 30 }],
        noncurrentVersionExpirationDays: 30,
      },
      { name: 'curated', noncurrentVersionExpirationDays: 30 },
      { name: 'analytics', noncurrentVersionExpirationDays: 30 },
    ],
    accessLogRetentionDays: 90,
    athenaResultsRetentionDays: 14,
  },
};
