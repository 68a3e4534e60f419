import type { EnvironmentConfigInput } from '../schema';

/**
 * dev: cheap and disposable. No account or region, so `npx cdk synth` works on a fresh machine with
 * no credentials and no network. Stateful resources are destroyed with their stack (explicit opt-in).
 */
export const dev: EnvironmentConfigInput = {
  name: 'dev',
  owner: 'data-platform-team',
  costCenter: 'cc-0000-dev',
  tags: { tier: 'development' },
  logRetentionDays: 30,
  removalPolicy: 'destroy',
  network: {
    cidr: '10.10.0.0/16',
    maxAzs: 2,
    natGateways: 0,
    flowLogRetentionDays: 30,
  },
  ingestion: { streamMode: 'on-demand', streamRetentionHours: 24 },
  backup: { continuousRetentionDays: 7, dailyRetentionDays: 7 },
  vectorStore: { instanceClass: 't4g.micro', multiAz: false, deletionProtection: false, backupRetentionDays: 1 },
  // Embeddings on (idle it costs only the bedrock-runtime endpoint), with a low Bedrock rate per consumer.
  embeddings: { collections: [{ collection: 'documents', requestsPerSecond: 5 }] },
  collector: {
    enabled: true,
    sources: [
      // Secrets hold hashed keys only (constructs/collector/README.md, "Write keys"); create them before deploying.
      { name: 'web', writeKeySecret: 'lakehouse/dev/collector/web', datasets: ['events'] },
      { name: 'mobile', writeKeySecret: 'lakehouse/dev/collector/mobile', datasets: ['events', 'client_errors'] },
    ],
    allowedOrigins: ['https://app.example.com'],
    throttling: { rateLimit: 100, burstLimit: 200 },
    reservedConcurrency: 10,
  },
  // Macie bills per GB scanned and CloudTrail per data event: dev runs neither (staging and prod do).
  privacy: { discovery: { enabled: false }, accessTrail: { enabled: false } },
  storage: {
    zones: [
      { name: 'raw', noncurrentVersionExpirationDays: 7 },
      { name: 'curated', noncurrentVersionExpirationDays: 7 },
      { name: 'analytics', noncurrentVersionExpirationDays: 7 },
    ],
    accessLogRetentionDays: 30,
    athenaResultsRetentionDays: 7,
  },
};
