import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../config/errors';
import { validateEnvironmentConfig } from '../../config/load';

/** A valid prod config; each case breaks exactly one thing in a copy of it. */
function validProd(): Record<string, any> {
  return {
    name: 'prod',
    account: '222222222222',
    region: 'eu-west-1',
    owner: 'data-platform-team',
    costCenter: 'cc-1',
    tags: { tier: 'production' },
    network: { cidr: '10.30.0.0/16', maxAzs: 3 },
    backup: {
      breakGlassRoleArn: 'arn:aws:iam::222222222222:role/BreakGlass',
      vaultLock: { minRetentionDays: 7 },
      disasterRecovery: { region: 'eu-central-1' },
    },
    governance: {
      lakeFormationAdmins: ['arn:aws:iam::222222222222:role/DataLakeAdmin'],
      personas: [{ name: 'analyst', trustedPrincipals: ['arn:aws:iam::222222222222:role/Analyst'] }],
    },
    storage: {
      zones: [
        { name: 'raw', transitions: [{ storageClass: 'STANDARD_IA', afterDays: 30 }] },
        { name: 'curated' },
        { name: 'analytics' },
      ],
    },
  };
}

interface BadInput {
  readonly title: string;
  readonly breakIt: (config: Record<string, any>) => void;
  /** The exact line the error must contain: field, value and what is allowed. */
  readonly line: string;
  readonly file?: string;
}

const FILE = 'config/environments/prod.ts';

const cases: BadInput[] = [
  {
    title: 'a wrong type for a number',
    breakIt: (c) => (c.network.maxAzs = 'three'),
    line: '- network.maxAzs: got "three"; Invalid input: expected number, received string',
  },
  {
    title: 'a wrong type for a string',
    breakIt: (c) => (c.costCenter = 42),
    line: '- costCenter: got 42; Invalid input: expected string, received number',
  },
  {
    title: 'a negative log retention',
    breakIt: (c) => (c.network.flowLogRetentionDays = -1),
    line: '- network.flowLogRetentionDays: got -1; must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30',
  },
  {
    title: 'a flow-log retention CloudWatch does not offer',
    breakIt: (c) => (c.network.flowLogRetentionDays = 100),
    line: '- network.flowLogRetentionDays: got 100; must be one of the retention periods CloudWatch Logs accepts',
  },
  {
    title: 'an out-of-range noncurrent-version expiry',
    breakIt: (c) => (c.storage.zones[1].noncurrentVersionExpirationDays = 0),
    line: '- storage.zones[1].noncurrentVersionExpirationDays: got 0; must be at least 1',
  },
  {
    title: 'a fractional retention',
    breakIt: (c) => (c.storage.athenaResultsRetentionDays = 1.5),
    line: '- storage.athenaResultsRetentionDays: got 1.5; must be a whole number of days',
  },
  {
    title: 'an infrequent-access transition under 30 days',
    breakIt: (c) => (c.storage.zones[0].transitions[0].afterDays = 10),
    line: '- storage.zones[0].transitions[0].afterDays: got 10; STANDARD_IA transitions must be at least 30 days after creation',
  },
  {
    title: 'a transition that moves back up the storage-class order',
    breakIt: (c) =>
      (c.storage.zones[0].transitions = [
        { storageClass: 'GLACIER', afterDays: 60 },
        { storageClass: 'STANDARD_IA', afterDays: 90 },
      ]),
    line: '- storage.zones[0].transitions[1].storageClass: got "STANDARD_IA"; cannot follow GLACIER',
  },
  {
    title: 'an unknown storage class',
    breakIt: (c) => (c.storage.zones[0].transitions[0].storageClass = 'COLD'),
    line: '- storage.zones[0].transitions[0].storageClass: got "COLD"; Invalid option: expected one of "STANDARD_IA"|',
  },
  {
    title: 'a malformed CIDR',
    breakIt: (c) => (c.network.cidr = '10.0.0/16'),
    line: '- network.cidr: got "10.0.0/16"; must be an IPv4 CIDR block such as 10.0.0.0/16',
  },
  {
    title: 'a CIDR too small for the subnets',
    breakIt: (c) => (c.network.cidr = '10.0.0.0/28'),
    line: '- network.cidr: got "10.0.0.0/28"; must have a prefix length between /16 and /24',
  },
  {
    title: 'duplicate zone names',
    breakIt: (c) => (c.storage.zones[1].name = 'raw'),
    line: '- storage.zones[1].name: got "raw"; duplicates storage.zones[0].name; zone names must be unique',
  },
  {
    title: 'an invalid zone name',
    breakIt: (c) => (c.storage.zones[1].name = 'Curated-Zone'),
    line: '- storage.zones[1].name: got "Curated-Zone"; must be 2-20 lowercase letters or digits, starting with a letter',
  },
  {
    title: 'no zones at all',
    breakIt: (c) => (c.storage.zones = []),
    line: '- storage.zones: got []; must list at least one zone',
  },
  {
    title: 'a tag key reserved by AWS',
    breakIt: (c) => (c.tags = { 'aws:team': 'x' }),
    line: '- tags["aws:team"]: got key "aws:team"; the key must not start with "aws:" (reserved by AWS)',
  },
  {
    title: 'a tag key the app sets itself',
    breakIt: (c) => (c.tags = { environment: 'x' }),
    line: '- tags.environment: got key "environment"; the key is set by the app from other fields',
  },
  {
    title: 'a tag value with characters AWS rejects',
    breakIt: (c) => (c.tags = { tier: 'prod<1>' }),
    line: '- tags.tier: got "prod<1>"; may contain only letters, digits, spaces and _ . : / = + - @',
  },
  {
    title: 'a tag value over 256 characters',
    breakIt: (c) => (c.tags = { tier: 'x'.repeat(257) }),
    line: '- tags.tier: got "xxxxxxxx',
  },
  {
    title: 'an empty owner',
    breakIt: (c) => (c.owner = '  '),
    line: '- owner: got "  "; must not be empty',
  },
  {
    title: 'DESTROY requested for prod',
    breakIt: (c) => (c.removalPolicy = 'destroy'),
    line: '- removalPolicy: got "destroy"; "destroy" is refused for prod: stateful resources in staging and prod are always retained',
  },
  {
    title: 'an unknown removal policy',
    breakIt: (c) => (c.removalPolicy = 'snapshot'),
    line: '- removalPolicy: got "snapshot"; Invalid option: expected one of "retain"|"destroy"',
  },
  {
    title: 'prod without an account',
    breakIt: (c) => {
      delete c.account;
      delete c.region;
    },
    line: '- account: got (missing); is required for prod: only dev may be environment-agnostic',
  },
  {
    title: 'an account without a region',
    breakIt: (c) => delete c.region,
    line: '- region: got (missing); account and region must be set together',
  },
  {
    title: 'a malformed account ID',
    breakIt: (c) => (c.account = '1234'),
    line: '- account: got "1234"; must be a 12-digit AWS account ID',
  },
  {
    title: 'more NAT gateways than AZs',
    breakIt: (c) => {
      c.network.natGateways = 3;
      c.network.maxAzs = 2;
    },
    line: '- network.natGateways: got 3; must not exceed network.maxAzs (2)',
  },
  {
    title: 'an unknown interface endpoint',
    breakIt: (c) => (c.network.interfaceEndpoints = ['kms', 'dynamo']),
    line: '- network.interfaceEndpoints[1]: got "dynamo"; Invalid option: expected one of "kms"|',
  },
  {
    title: 'an interface endpoint listed twice',
    breakIt: (c) => (c.network.interfaceEndpoints = ['kms', 'sts', 'kms']),
    line: '- network.interfaceEndpoints[2]: got "kms"; duplicates network.interfaceEndpoints[0]; list each endpoint once',
  },
  {
    title: 'a misspelt field',
    breakIt: (c) => (c.storage.zone = []),
    line: '- storage.zone: got []; unknown field "zone"; did you mean "zones"? (known: zones, accessLogRetentionDays, athenaResultsRetentionDays)',
  },
  {
    title: 'a misspelt optional field, which would otherwise be ignored',
    breakIt: (c) => (c.network.flowLogRetentionDay = 30),
    line: '- network.flowLogRetentionDay: got 30; unknown field "flowLogRetentionDay"; did you mean "flowLogRetentionDays"? (known: cidr, maxAzs, natGateways, flowLogRetentionDays, interfaceEndpoints)',
  },
  {
    title: 'an unknown field inside a list item',
    breakIt: (c) => (c.storage.zones[0].transitions[0].days = 30),
    line: '- storage.zones[0].transitions[0].days: got 30; unknown field "days"; remove or fix the spelling (known: storageClass, afterDays)',
  },
  {
    title: 'a persona reading a zone that does not exist',
    breakIt: (c) => (c.governance = { personas: [{ name: 'analyst', zones: ['gold'] }] }),
    line: '- governance.personas[0].zones[0]: got "gold"; is not a zone of this environment; use one of raw, curated, analytics',
  },
  {
    title: 'a Lake Formation admin that is not a role ARN',
    breakIt: (c) => (c.governance = { lakeFormationAdmins: ['alice'] }),
    line: '- governance.lakeFormationAdmins[0]: got "alice"; must be an IAM role ARN',
  },
  {
    title: 'an Athena scan cutoff under the 10 MB minimum',
    breakIt: (c) => (c.catalog = { bytesScannedCutoffMb: 5 }),
    line: '- catalog.bytesScannedCutoffMb: got 5; must be at least 10 (Athena minimum, 10 MB)',
  },
  {
    title: 'an unknown classification excluded from a persona',
    breakIt: (c) => (c.governance = { personas: [{ name: 'analyst', excludeClassifications: ['secret'] }] }),
    line: '- governance.personas[0].excludeClassifications[0]: got "secret"; Invalid option',
  },
  {
    title: 'a persona named like the platform workgroup',
    breakIt: (c) => (c.governance = { personas: [{ name: 'engineering' }] }),
    line: "- governance.personas[0].name: got \"engineering\"; is reserved for the platform's own workgroup",
  },
  {
    title: 'not owning the account settings without naming the owner catalog key',
    breakIt: (c) => (c.governance = { ownsAccountSettings: false }),
    line: '- governance.accountCatalogKeyArn: got (missing); is required when ownsAccountSettings is false',
  },
  {
    title: 'a malformed owner catalog key ARN',
    breakIt: (c) => (c.governance = { ownsAccountSettings: false, accountCatalogKeyArn: 'alias/catalog' }),
    line: '- governance.accountCatalogKeyArn: got "alias/catalog"; must be a KMS key ARN',
  },
  {
    title: 'a stream retention under the Kinesis minimum',
    breakIt: (c) => (c.ingestion = { streamRetentionHours: 12 }),
    line: '- ingestion.streamRetentionHours: got 12; must be at least 24 (Kinesis minimum)',
  },
  {
    title: 'a stream retention over the Kinesis maximum',
    breakIt: (c) => (c.ingestion = { streamRetentionHours: 9000 }),
    line: '- ingestion.streamRetentionHours: got 9000; must be at most 8760 (Kinesis maximum, 365 days)',
  },
  {
    title: 'a shard count for on-demand streams',
    breakIt: (c) => (c.ingestion = { shardCount: 4 }),
    line: '- ingestion.shardCount: got 4; only applies to streamMode "provisioned"',
  },
  {
    title: 'a single-AZ production database',
    breakIt: (c) => (c.vectorStore = { multiAz: false }),
    line: '- vectorStore.multiAz: got false; must be true in prod: only the dev database may be single-AZ and without deletion protection',
  },
  {
    title: 'the default PostgreSQL port',
    breakIt: (c) => (c.vectorStore = { port: 5432 }),
    line: '- vectorStore.port: got 5432; must not be 5432, the PostgreSQL default (cdk-nag RDS11)',
  },
  {
    title: 'an RDS version whose pgvector is unknown',
    breakIt: (c) => (c.vectorStore = { engineVersion: '15.4' }),
    line: '- vectorStore.engineVersion: got "15.4"; Invalid option: expected one of "16.3"|',
  },
  {
    title: 'an autoscaling ceiling below the allocated storage',
    breakIt: (c) => (c.vectorStore = { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 }),
    line: '- vectorStore.maxAllocatedStorageGiB: got 100; must be at least 220, 10 % above allocatedStorageGiB (200): RDS refuses a lower autoscaling ceiling',
  },
  {
    title: 'an autoscaling ceiling less than 10 % above the allocation',
    breakIt: (c) => (c.vectorStore = { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 105 }),
    line: '- vectorStore.maxAllocatedStorageGiB: got 105; must be at least 110, 10 % above allocatedStorageGiB (100): RDS refuses a lower autoscaling ceiling',
  },
  {
    title: 'a database backup retention over 35 days',
    breakIt: (c) => (c.vectorStore = { backupRetentionDays: 60 }),
    line: '- vectorStore.backupRetentionDays: got 60; must be at most 35',
  },
  {
    title: 'a point-in-time window over 35 days',
    breakIt: (c) => (c.backup = { ...c.backup, continuousRetentionDays: 60 }),
    line: '- backup.continuousRetentionDays: got 60; must be at most 35',
  },
  {
    title: 'prod without a break-glass role for the backup vault',
    breakIt: (c) => delete c.backup,
    line: '- backup.breakGlassRoleArn: got (missing); is required for prod: only that role may delete recovery points',
  },
  {
    title: 'prod backups without a DR region',
    breakIt: (c) => delete c.backup.disasterRecovery,
    line: '- backup.disasterRecovery: got (missing); is required in prod: production backups are locked and copied to a DR region',
  },
  {
    title: 'a DR region equal to the environment region',
    breakIt: (c) => (c.backup.disasterRecovery = { region: 'eu-west-1' }),
    line: '- backup.disasterRecovery.region: got "eu-west-1"; must differ from the environment region',
  },
  {
    title: 'a vault lock minimum beyond the shortest retention',
    breakIt: (c) => (c.backup.vaultLock = { minRetentionDays: 60 }),
    line: '- backup.vaultLock.minRetentionDays: got 60; must not exceed continuousRetentionDays (35)',
  },
  {
    title: 'a compliance-mode vault lock without its grace period',
    breakIt: (c) => (c.backup.vaultLock = { mode: 'compliance', minRetentionDays: 7 }),
    line: '- backup.vaultLock.changeableForDays: got (missing); is required for compliance mode',
  },
  {
    title: 'an alarm e-mail that is not an address',
    breakIt: (c) => (c.operations = { alarmEmails: ['oncall'] }),
    line: '- operations.alarmEmails[0]: got "oncall"; must be an e-mail address',
  },
  {
    title: 'an alarm endpoint over plain http',
    breakIt: (c) => (c.operations = { alarmHttpsEndpoints: ['http://hooks.example.com/x'] }),
    line: '- operations.alarmHttpsEndpoints[0]: got "http://hooks.example.com/x"; must be an https:// URL',
  },
  {
    title: 'a restore validation window beyond a week',
    breakIt: (c) => (c.operations = { restoreValidationHours: 200 }),
    line: '- operations.restoreValidationHours: got 200; must be at most 168 (AWS Backup: one week)',
  },
  {
    title: 'an RPO shorter than the recovery-point check interval',
    breakIt: (c) => (c.operations = { rpoMinutes: 5 }),
    line: '- operations.rpoMinutes: got 5; must be at least 15: recovery-point age is checked every 15 minutes',
  },
  {
    title: 'an RPO in hours written as a fraction',
    breakIt: (c) => (c.operations = { rpoMinutes: 0.5 }),
    line: '- operations.rpoMinutes: got 0.5; must be a whole number of minutes',
  },
  {
    title: 'an RPO as a string',
    breakIt: (c) => (c.operations = { rpoMinutes: '60' }),
    line: '- operations.rpoMinutes: got "60"; Invalid input: expected number, received string',
  },
  {
    title: 'an RTO beyond a week',
    breakIt: (c) => (c.operations = { rtoMinutes: 20_000 }),
    line: '- operations.rtoMinutes: got 20000; must be at most 10080 (a week)',
  },
  {
    title: 'a zero RTO',
    breakIt: (c) => (c.operations = { rtoMinutes: 0 }),
    line: '- operations.rtoMinutes: got 0; must be at least 15: no restore of a bucket or database is faster',
  },
  {
    title: 'a pipeline gate policy other than fail or warn',
    breakIt: (c) => (c.operations = { pipelineInputQualityPolicy: 'ignore' }),
    line: '- operations.pipelineInputQualityPolicy: got "ignore"; must be "fail" or "warn"',
  },
  {
    title: 'a pipeline freshness wait beyond a day',
    breakIt: (c) => (c.operations = { pipelineFreshnessWaitMinutes: 1441 }),
    line: '- operations.pipelineFreshnessWaitMinutes: got 1441; must be at most 1440 (one day)',
  },
  {
    title: 'a pipeline freshness wait in fractional minutes',
    breakIt: (c) => (c.operations = { pipelineFreshnessWaitMinutes: 2.5 }),
    line: '- operations.pipelineFreshnessWaitMinutes: got 2.5; must be a whole number',
  },
  {
    title: 'a CIDR with host bits set, which EC2 would move to another network',
    breakIt: (c) => (c.network.cidr = '10.30.0.1/16'),
    line: '- network.cidr: got "10.30.0.1/16"; has host bits set: AWS would use the network 10.30.0.0/16 instead; write "10.30.0.0/16"',
  },
  {
    title: 'a five-field cron for the restore tests',
    breakIt: (c) => (c.operations = { restoreTestSchedule: 'cron(0 5 * * SUN)' }),
    line: '- operations.restoreTestSchedule: got "cron(0 5 * * SUN)"; has 5 fields; AWS cron takes six: minutes hours day-of-month month day-of-week year, e.g. cron(0 5 ? * SUN *)',
  },
  {
    title: 'a cron with both day fields set',
    breakIt: (c) => (c.operations = { restoreTestSchedule: 'cron(0 5 * * SUN *)' }),
    line: '- operations.restoreTestSchedule: got "cron(0 5 * * SUN *)"; must have "?" in exactly one of day-of-month and day-of-week (AWS refuses both or neither), e.g. cron(0 5 ? * SUN *) or cron(0 5 1 * ? *)',
  },
  {
    title: 'a rate expression where AWS Backup takes cron only',
    breakIt: (c) => (c.operations = { restoreTestSchedule: 'rate(7 days)' }),
    line: '- operations.restoreTestSchedule: got "rate(7 days)"; is a rate expression; this schedule takes cron(minutes hours day-of-month month day-of-week year) only',
  },
  {
    title: 'a vault lock maximum shorter than the backup rules it must hold',
    breakIt: (c) => (c.backup.vaultLock = { minRetentionDays: 7, maxRetentionDays: 30 }),
    line: '- backup.vaultLock.maxRetentionDays: got 30; must be at least continuousRetentionDays (35): AWS Backup refuses rules that keep points longer than the lock\'s maximum',
  },
  {
    title: 'a vault lock minimum longer than the monthly rule',
    breakIt: (c) => Object.assign(c.backup, { continuousRetentionDays: 35, dailyRetentionDays: 35, monthlyRetentionDays: 30, vaultLock: { minRetentionDays: 31 } }),
    line: '- backup.vaultLock.minRetentionDays: got 31; must not exceed monthlyRetentionDays (30): AWS Backup refuses rules that keep points for less than the lock\'s minimum',
  },
  {
    title: 'a vault lock maximum below its minimum',
    breakIt: (c) => (c.backup.vaultLock = { minRetentionDays: 7, maxRetentionDays: 5 }),
    line: '- backup.vaultLock.maxRetentionDays: got 5; must be greater than minRetentionDays (7; AWS Backup refuses equal ones)',
  },
  {
    title: 'more tags than AWS allows per resource, counting the app\'s own',
    breakIt: (c) => (c.tags = Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`t${i}`, 'x']))),
    line: '- tags: got {"t0":"x","t1":"x","t2":"x","t3":"x","t4":"x","t5":"x","t6":"x","t7":"x","t8":"x","t9":"x","t10":"x","t11":"x","t12":...; must have at most 43 tags: AWS allows 50 per resource and the app sets up to 7 on one itself (project, environment, owner, cost-center, and on subnets Name, aws-cdk:subnet-name, aws-cdk:subnet-type)',
  },
  {
    title: 'a domain listed twice (one LF-tag value)',
    breakIt: (c) => (c.catalog = { domains: ['knowledge', 'product_analytics', 'knowledge', 'operations'] }),
    line: '- catalog.domains[2]: got "knowledge"; duplicates catalog.domains[0]; list each domain (LF-tag value) once',
  },
  {
    title: 'an alarm e-mail listed twice, differing in case',
    breakIt: (c) => (c.operations = { alarmEmails: ['ops@example.com', 'OPS@example.com'] }),
    line: '- operations.alarmEmails[1]: got "OPS@example.com"; duplicates operations.alarmEmails[0]; list each e-mail address (one SNS subscription each) once',
  },
  {
    title: 'an alarm endpoint listed twice',
    breakIt: (c) => (c.operations = { alarmHttpsEndpoints: ['https://hooks.example.com/a', 'https://hooks.example.com/a'] }),
    line: '- operations.alarmHttpsEndpoints[1]: got "https://hooks.example.com/a"; duplicates operations.alarmHttpsEndpoints[0]; list each endpoint (one SNS subscription each) once',
  },
  {
    title: 'a Lake Formation admin listed twice',
    breakIt: (c) => (c.governance = { lakeFormationAdmins: ['arn:aws:iam::222222222222:role/Admin', 'arn:aws:iam::222222222222:role/Admin'] }),
    line: '- governance.lakeFormationAdmins[1]: got "arn:aws:iam::222222222222:role/Admin"; duplicates governance.lakeFormationAdmins[0]; list each administrator once',
  },
  {
    title: 'a persona zone listed twice',
    breakIt: (c) => (c.governance = { personas: [{ name: 'analyst', zones: ['curated', 'curated'] }] }),
    line: '- governance.personas[0].zones[1]: got "curated"; duplicates governance.personas[0].zones[0]; list each zone once',
  },
  {
    title: 'a persona classification excluded twice',
    breakIt: (c) => (c.governance = { personas: [{ name: 'analyst', excludeClassifications: ['pii', 'pii'] }] }),
    line: '- governance.personas[0].excludeClassifications[1]: got "pii"; duplicates governance.personas[0].excludeClassifications[0]; list each classification once',
  },
  {
    title: 'two personas sharing one imported role',
    breakIt: (c) =>
      (c.governance = {
        personas: [
          { name: 'analyst', roleArn: 'arn:aws:iam::222222222222:role/Analysts' },
          { name: 'bi_analyst', roleArn: 'arn:aws:iam::222222222222:role/Analysts' },
        ],
      }),
    line: '- governance.personas[1].roleArn: got "arn:aws:iam::222222222222:role/Analysts"; is also the role of governance.personas[0] (analyst); each persona needs its own role (its grants and workgroup would collide)',
  },
  {
    title: 'two vector collections with one name',
    breakIt: (c) =>
      (c.vectorStore = {
        collections: [
          { name: 'docs', dimensions: 8, metric: 'cosine', index: { type: 'hnsw', m: 16, efConstruction: 64 } },
          { name: 'docs', dimensions: 8, metric: 'l2', index: { type: 'ivfflat', lists: 100 } },
        ],
      }),
    line: '- vectorStore.collections[1].name: got "docs"; duplicate collection name (2 collections would share table public.docs); give each collection its own name',
  },
  {
    title: 'an HNSW build list below twice m',
    breakIt: (c) => (c.vectorStore = { collections: [{ name: 'docs', dimensions: 8, metric: 'cosine', index: { type: 'hnsw', m: 32, efConstruction: 40 } }] }),
    line: '- vectorStore.collections[0].index.efConstruction: got 40; below 2 × m = 64 (pgvector refuses ef_construction < 2 × m); use at least 64',
  },
  {
    title: 'a free-storage alarm at the size of the whole disk',
    breakIt: (c) => (c.operations = { databaseFreeStorageGiB: 20 }),
    line: '- operations.databaseFreeStorageGiB: got 20; must be below vectorStore.allocatedStorageGiB (20): a threshold at or above the whole disk alarms from the first minute',
  },
  {
    title: 'a lag alarm beyond the stream retention',
    breakIt: (c) => (c.operations = { iteratorAgeMinutes: 1440 }),
    line: '- operations.iteratorAgeMinutes: got 1440; must be below ingestion.streamRetentionHours (24 h = 1440 min): records expire before the lag alarm would fire',
  },
  {
    title: 'a name that does not match its file',
    breakIt: (c) => (c.name = 'staging'),
    line: '- name: got "staging"; must be "prod", the name of its file',
  },
];

describe('invalid configuration fails before anything is built, naming file, field, value and what is allowed', () => {
  it('covers at least 15 distinct bad inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('$title', ({ breakIt, line }) => {
    const config = validProd();
    breakIt(config);
    let error: unknown;
    try {
      validateEnvironmentConfig(config, FILE, 'prod');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain(`Invalid configuration in ${FILE} (nothing was synthesized)`);
    expect(message).toContain(line);
  });

  it('the unbroken base config is valid, so each failure above comes from its one change', () => {
    expect(() => validateEnvironmentConfig(validProd(), FILE, 'prod')).not.toThrow();
  });

  it('dev may opt into DESTROY explicitly', () => {
    const config: Record<string, any> = { ...validProd(), name: 'dev', removalPolicy: 'destroy' };
    delete config.account;
    delete config.region;
    config.network = { maxAzs: 2 };
    config.vectorStore = { multiAz: false, deletionProtection: false };
    config.backup = {};
    expect(validateEnvironmentConfig(config, 'config/environments/dev.ts', 'dev').removalPolicy).toBe('destroy');
  });

  it('an environment-agnostic dev cannot ask for 3 AZs', () => {
    expect(() =>
      validateEnvironmentConfig({ name: 'dev', owner: 'o', costCenter: 'c', network: { maxAzs: 3 } }, 'config/environments/dev.ts'),
    ).toThrow('- network.maxAzs: got 3; must be 2 without an account and region');
  });
});
