import type { EnvironmentConfigInput } from '../schema';

/**
 * prod: three AZs, everything retained. The account is a placeholder: replace it with yours.
 * The availability zones its offline synthesis needs are committed in cdk.context.json.
 */
export const prod: EnvironmentConfigInput = {
  name: 'prod',
  account: '222222222222',
  region: 'eu-west-1',
  owner: 'data-platform-team',
  costCenter: 'cc-0000-prod',
  tags: { tier: 'production' },
  logRetentionDays: 365,
  removalPolicy: 'retain',
  network: {
    cidr: '10.30.0.0/16',
    maxAzs: 3,
    natGateways: 0,
    flowLogRetentionDays: 365,
  },
  ingestion: { streamMode: 'on-demand', streamRetentionHours: 168 },
  backup: {
    breakGlassRoleArn: 'arn:aws:iam::222222222222:role/BackupBreakGlass',
    continuousRetentionDays: 35,
    dailyRetentionDays: 35,
    monthlyRetentionDays: 365,
    // Governance mode: privileged users can still lift it; compliance mode would be irreversible.
    vaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 3650 },
    disasterRecovery: { region: 'eu-central-1' },
  },
  operations: {
    alarmEmails: ['data-platform-oncall@example.com'],
  },
  vectorStore: {
    instanceClass: 'r7g.large',
    allocatedStorageGiB: 100,
    maxAllocatedStorageGiB: 1000,
    multiAz: true,
    deletionProtection: true,
    backupRetentionDays: 35,
  },
  governance: {
    // Placeholders: replace with your roles. The Lake Formation settings replace the account's admin
    // list, so at least one person's role must be here (the CDK deployment role is added on its own).
    lakeFormationAdmins: ['arn:aws:iam::222222222222:role/DataLakeAdmin'],
    // Who may assume each persona role: IAM Identity Center permission-set roles (the * stands for the
    // generated suffix; add the region segment to the path if your Identity Center lives outside us-east-1).
    personas: [
      { name: 'data_engineer', write: true, trustedPrincipals: ['arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataEngineer_*'] },
      { name: 'analyst', excludeClassifications: ['pii'], trustedPrincipals: ['arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_*'] },
      {
        name: 'ml_engineer',
        zones: ['curated', 'analytics'],
        excludeClassifications: ['pii'],
        trustedPrincipals: ['arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_MlEngineer_*'],
      },
    ],
  },
  storage: {
    zones: [
      {
        name: 'raw',
        // Athena reads STANDARD_IA and GLACIER_IR directly; GLACIER and DEEP_ARCHIVE would need a restore.
        transitions: [
          { storageClass: 'STANDARD_IA', afterDays: 30 },
          { storageClass: 'GLACIER_IR', afterDays: 90 },
        ],
        noncurrentVersionExpirationDays: 90,
      },
      {
        name: 'curated',
        transitions: [{ storageClass: 'STANDARD_IA', afterDays: 90 }],
        noncurrentVersionExpirationDays: 90,
      },
      { name: 'analytics', noncurrentVersionExpirationDays: 90 },
    ],
    accessLogRetentionDays: 365,
    athenaResultsRetentionDays: 30,
  },
  collector: {
    enabled: true,
    sources: [
      // Secrets hold hashed keys only (constructs/collector/README.md, "Write keys"); create them before deploying.
      { name: 'web', writeKeySecret: 'lakehouse/prod/collector/web', datasets: ['events'] },
      { name: 'mobile', writeKeySecret: 'lakehouse/prod/collector/mobile', datasets: ['events', 'client_errors'] },
    ],
    allowedOrigins: ['https://app.example.com'],
    // Replace with your certificate (ACM, same region) before deploying; the execute-api URL is then off.
    customDomain: { domainName: 'collect.example.com', certificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-0000-0000-000000000000' },
  },
};
