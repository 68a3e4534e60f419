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
  governance: {
    // Placeholders: replace with your roles. The Lake Formation settings replace the account's admin
    // list, so at least one person's role must be here (the CDK deployment role is added on its own).
    lakeFormationAdmins: ['arn:aws:iam::111111111111:role/DataLakeAdmin'],
    // Who may assume each persona role: IAM Identity Center permission-set roles (the * stands for the
    // generated suffix; add the region segment to the path if your Identity Center lives outside us-east-1).
    personas: [
      { name: 'data_engineer', write: true, trustedPrincipals: ['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineer_*'] },
      { name: 'analyst', excludeClassifications: ['pii'], trustedPrincipals: ['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_*'] },
      {
        name: 'ml_engineer',
        zones: ['curated', 'analytics'],
        excludeClassifications: ['pii'],
        trustedPrincipals: ['arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MlEngineer_*'],
      },
    ],
  },
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
  collector: {
    enabled: true,
    sources: [
      // Secrets hold hashed keys only (constructs/collector/README.md, "Write keys"); create them before deploying.
      { name: 'web', writeKeySecret: 'lakehouse/staging/collector/web', datasets: ['events'] },
      { name: 'mobile', writeKeySecret: 'lakehouse/staging/collector/mobile', datasets: ['events', 'client_errors'] },
    ],
    allowedOrigins: ['https://app.example.com'],
  },
};
