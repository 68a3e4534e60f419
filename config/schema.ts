import { collectorSchema } from './collector-schema';
import { z } from 'zod';
import { ipv4CidrProblem } from '../constructs/common/validators/cidr';
import { scheduleExpressionProblem } from '../constructs/common/validators/schedule-expression';
import { INTERFACE_ENDPOINT_NAMES, type InterfaceEndpointName } from '../constructs/network/interface-endpoints';
import { collectionProblems } from '../constructs/vector-store/collection-validation';
import { DEFAULT_MASTER_USERNAME, masterUsernameProblem } from '../constructs/vector-store/master-username';
import { embeddingsIssues, embeddingsSchema } from './embeddings-schema';
import { privacySchema } from './privacy-schema';
import { checkDisasterRecovery, checkLakeFormationAdmins, checkPersonaTrust } from './security-rules';
import { RDS_POSTGRES_VERSIONS, type RdsPostgresVersion } from '../constructs/vector-store/postgres-versions';
import {
  ENVIRONMENT_NAMES,
  INFREQUENT_ACCESS_MIN_DAYS,
  LF_TAG_VALUES_MAX,
  LOG_RETENTION_DAYS,
  STORAGE_CLASSES,
  CDK_OWN_TAG_KEYS,
  CDK_OWN_TAGS_PER_RESOURCE,
  TAGS_PER_RESOURCE_MAX,
  TAG_KEY_MAX,
  TAG_PATTERN,
  TAG_VALUE_MAX,
} from './limits';

/**
 * The schema of one environment's configuration. Every default is written here, once; the
 * configuration reference in README.md documents the same values and a test keeps the two in step.
 */

/** Tags the app sets itself from other fields; an environment's extra tags may not redefine them. */
export const RESERVED_TAG_KEYS = ['project', 'environment', 'owner', 'cost-center'] as const;

const logRetentionDays = z
  .number()
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    message: `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
  });

const tagValue = z
  .string()
  .max(TAG_VALUE_MAX, `must be at most ${TAG_VALUE_MAX} characters (AWS tag value limit)`)
  .regex(TAG_PATTERN, 'may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag value rules)');

const tagKey = z
  .string()
  .min(1, 'must not be empty')
  .max(TAG_KEY_MAX, `must be at most ${TAG_KEY_MAX} characters (AWS tag key limit)`)
  .regex(TAG_PATTERN, 'may contain only letters, digits, spaces and _ . : / = + - @ (AWS tag key rules)')
  .refine((key) => !key.toLowerCase().startsWith('aws:'), { message: 'must not start with "aws:" (reserved by AWS)' })
  .refine((key) => !(RESERVED_TAG_KEYS as readonly string[]).includes(key), {
    message: `is set by the app from other fields; remove it (reserved: ${RESERVED_TAG_KEYS.join(', ')})`,
  });

/** Extra tags an environment may add: the per-resource limit minus the tags the app and CDK set themselves. */
export const MAX_EXTRA_TAGS = TAGS_PER_RESOURCE_MAX - RESERVED_TAG_KEYS.length - CDK_OWN_TAGS_PER_RESOURCE;

/** A non-empty, trimmed tag value: owner and cost centre end up as tags on every resource. */
const requiredTagValue = tagValue.refine((value) => value.trim().length > 0, { message: 'must not be empty' });

const days = (min: number, max: number) =>
  z.number().int(`must be a whole number of days`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const transitionSchema = z
  .object({
    storageClass: z.enum(STORAGE_CLASSES),
    afterDays: days(0, 36_500),
  })
  .strict()
  .superRefine((transition, ctx) => {
    const infrequent = transition.storageClass === 'STANDARD_IA' || transition.storageClass === 'ONEZONE_IA';
    if (infrequent && transition.afterDays < INFREQUENT_ACCESS_MIN_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['afterDays'],
        message: `${transition.storageClass} transitions must be at least ${INFREQUENT_ACCESS_MIN_DAYS} days after creation (S3 rejects shorter ones)`,
      });
    }
  });

const zoneSchema = z
  .object({
    /** Zone name; becomes part of construct IDs and Glue database names, so lowercase letters and digits. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,19}$/, 'must be 2-20 lowercase letters or digits, starting with a letter'),
    /** Storage-class transitions for current objects, in the order they happen. Default: none. */
    transitions: z.array(transitionSchema).default([]),
    /** Days after which a noncurrent object version is deleted. Default 90. */
    noncurrentVersionExpirationDays: days(1, 3650).default(90),
    /** Days after which an incomplete multipart upload is aborted. Default 7. */
    abortIncompleteMultipartUploadDays: days(1, 365).default(7),
  })
  .strict()
  .superRefine((zone, ctx) => {
    zone.transitions.forEach((transition, index) => {
      if (index === 0) return;
      const previous = zone.transitions[index - 1];
      if (transition.afterDays <= previous.afterDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['transitions', index, 'afterDays'],
          message: `must be later than the previous transition (${previous.afterDays} days)`,
        });
      }
      if (STORAGE_CLASSES.indexOf(transition.storageClass) <= STORAGE_CLASSES.indexOf(previous.storageClass)) {
        ctx.addIssue({
          code: 'custom',
          path: ['transitions', index, 'storageClass'],
          message: `cannot follow ${previous.storageClass}; S3 transitions only move down this order: ${STORAGE_CLASSES.join(' → ')}`,
        });
      }
    });
  });

const DEFAULT_ZONES = [{ name: 'raw' }, { name: 'curated' }, { name: 'analytics' }];

const networkSchema = z
  .object({
    /** VPC IPv4 range, a literal CIDR between /16 and /24. Default 10.0.0.0/16. */
    cidr: z
      .cidrv4('must be an IPv4 CIDR block such as 10.0.0.0/16')
      .refine((cidr) => {
        const prefix = Number(cidr.split('/')[1]);
        return prefix >= 16 && prefix <= 24;
      }, 'must have a prefix length between /16 and /24 (VPC limits, room for subnets in every AZ)')
      .superRefine((cidr, ctx) => {
        const problem = ipv4CidrProblem(cidr);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('10.0.0.0/16'),
    /** Availability zones for the subnets, 2 or 3. Default 2. */
    maxAzs: z.number().int().min(2, 'must be at least 2').max(3, 'must be at most 3').default(2),
    /** NAT gateways; 0 keeps every subnet isolated (the default). */
    natGateways: z.number().int().min(0, 'must be 0 or more').max(3, 'must be at most 3').default(0),
    /** Retention of the VPC flow-log group, in days. Default 365. */
    flowLogRetentionDays: logRetentionDays.default(365),
    /** Interface endpoints to create. Default: the platform's data services (see README). */
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINT_NAMES as [InterfaceEndpointName, ...InterfaceEndpointName[]])).optional(),
  })
  .strict();

const storageSchema = z
  .object({
    /** Data-lake zones, one bucket each. Default raw, curated, analytics with no transitions. */
    zones: z.array(zoneSchema).min(1, 'must list at least one zone').prefault(DEFAULT_ZONES),
    /** Days server access logs are kept before expiry. Default 365. */
    accessLogRetentionDays: days(1, 3650).default(365),
    /** Days Athena query results are kept before expiry. Default 30. */
    athenaResultsRetentionDays: days(1, 3650).default(30),
  })
  .strict();

const ingestionSchema = z
  .object({
    /** Kinesis capacity mode of every stream. Default on-demand. */
    streamMode: z.enum(['on-demand', 'provisioned']).default('on-demand'),
    /** Shards per stream, provisioned mode only. */
    shardCount: z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').optional(),
    /** Hours a stream keeps records (Kinesis: 24-8760). Default 24. */
    streamRetentionHours: z
      .number()
      .int('must be a whole number of hours')
      .min(24, 'must be at least 24 (Kinesis minimum)')
      .max(8760, 'must be at most 8760 (Kinesis maximum, 365 days)')
      .default(24),
  })
  .strict()
  .superRefine((ingestion, ctx) => {
    if (ingestion.shardCount !== undefined && ingestion.streamMode !== 'provisioned') {
      ctx.addIssue({ code: 'custom', path: ['shardCount'], message: 'only applies to streamMode "provisioned"; remove it or switch the mode' });
    }
  });

/**
 * Vault lock: recovery points cannot be deleted before `minRetentionDays`. Governance mode can be
 * lifted by privileged users; compliance mode (with `changeableForDays`, at least 3) becomes
 * irreversible once that grace period ends.
 */
const vaultLockSchema = z
  .object({
    mode: z.enum(['governance', 'compliance']).default('governance'),
    minRetentionDays: days(1, 36_500),
    maxRetentionDays: days(1, 36_500).optional(),
    changeableForDays: days(3, 36_500).optional(),
  })
  .strict()
  .superRefine((lock, ctx) => {
    if (lock.mode === 'compliance' && lock.changeableForDays === undefined) {
      ctx.addIssue({ code: 'custom', path: ['changeableForDays'], message: 'is required for compliance mode: the grace period (≥ 3 days) before the lock becomes irreversible' });
    }
    if (lock.mode === 'governance' && lock.changeableForDays !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['changeableForDays'], message: 'only applies to compliance mode; remove it for governance mode' });
    }
    if (lock.maxRetentionDays !== undefined && lock.maxRetentionDays <= lock.minRetentionDays) {
      ctx.addIssue({ code: 'custom', path: ['maxRetentionDays'], message: `must be greater than minRetentionDays (${lock.minRetentionDays}; AWS Backup refuses equal ones)` });
    }
  });

const backupSchema = z
  .object({
    /** The only role that may delete recovery points. Required outside dev. */
    breakGlassRoleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/name')
      .optional(),
    /** Point-in-time recovery window (AWS Backup: at most 35 days). Default 35. */
    continuousRetentionDays: days(1, 35).default(35),
    /** Daily recovery points' retention. Default 35. */
    dailyRetentionDays: days(1, 36_500).default(35),
    /** Monthly long-term recovery points' retention. Default: none. */
    monthlyRetentionDays: days(30, 36_500).optional(),
    /** Lock of the environment vault (see vaultLockSchema). Default: no lock; required in prod. */
    vaultLock: vaultLockSchema.optional(),
    /** Copy recovery points to a vault in another region (and optionally account). Required in prod. */
    disasterRecovery: z
      .object({
        region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-central-1'),
        account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID').optional(),
        /** Lock of the DR vault. Default: the environment vault's lock (`backup.vaultLock`). */
        vaultLock: vaultLockSchema.optional(),
        /** The DR vault's break-glass role. Default `backup.breakGlassRoleArn`; required for a DR account of its own. */
        breakGlassRoleArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/name')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const operationsSchema = z
  .object({
    /** E-mail addresses subscribed to the alarm topic (each must confirm its subscription). */
    alarmEmails: z.array(z.email('must be an e-mail address')).default([]),
    /** HTTPS endpoints (chat webhooks, incident tools) subscribed to the alarm topic. */
    alarmHttpsEndpoints: z.array(z.url({ protocol: /^https$/, error: 'must be an https:// URL' })).default([]),
    /** Kinesis iterator age alarm, minutes (data latency target: under 5). Default 5. */
    iteratorAgeMinutes: z.number().int().min(1).max(10_080).default(5),
    /** Athena p95 query time alarm, seconds (target: under 5). Default 5. */
    queryP95Seconds: z.number().min(1).max(1800).default(5),
    /** RDS CPU alarm, percent. Default 80. */
    databaseCpuPercent: z.number().min(1).max(100).default(80),
    /** RDS free storage alarm, GiB. Default 5. */
    databaseFreeStorageGiB: z.number().min(1).default(5),
    /** RDS freeable memory alarm, MiB. Default 256. */
    databaseFreeableMemoryMiB: z.number().min(16).default(256),
    /** RDS connections alarm. Default 100. */
    databaseConnections: z.number().int().min(1).default(100),
    /** Embeddings queue: alarm when the oldest message waits longer, minutes. Default 60 (a backfill queues many). */
    embeddingsQueueAgeMinutes: z.number().int('must be a whole number').min(5, 'must be at least 5').max(5760, 'must be at most 5760 (the queue keeps messages 4 days)').default(60),
    /** Embeddings consumer: alarm when more than this percentage of records fails, percent. Default 5. */
    embeddingsFailurePercent: z.number().min(0.1, 'must be at least 0.1').max(100, 'must be at most 100').default(5),
    /** Restore tests: when they run (an AWS Backup schedule expression). Default every Sunday 05:00 UTC. */
    restoreTestSchedule: z
      .string()
      .superRefine((expression, ctx) => {
        // AWS Backup restore testing takes cron only ("A CRON expression", RestoreTestingPlan API reference).
        const problem = scheduleExpressionProblem(expression, { allowRate: false });
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('cron(0 5 ? * SUN *)'),
    /** Hours a restored copy is kept for validation before AWS Backup deletes it (1-168). Default 4 (the RTO). */
    restoreValidationHours: z.number().int().min(1, 'must be at least 1').max(168, 'must be at most 168 (AWS Backup: one week)').default(4),
    /**
     * Recovery point objective, minutes: the newest recovery point of each protected resource older than
     * this raises an alarm. At least 15 (the check runs every 15 minutes), at most 1440. Default 60.
     */
    rpoMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .min(15, 'must be at least 15: recovery-point age is checked every 15 minutes')
      .max(1440, 'must be at most 1440 (a day): daily recovery points alone meet that')
      .default(60),
    /** Recovery time objective, minutes: a restore (test) taking longer raises an alarm. 15-10080. Default 240. */
    rtoMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .min(15, 'must be at least 15: no restore of a bucket or database is faster')
      .max(10_080, 'must be at most 10080 (a week)')
      .default(240),
    /**
     * Daily pipeline (docs/pipeline.md): what failed input checks do, `fail` (the ELT does not run) or `warn`
     * (it runs and the gate alarm fires). Default fail.
     */
    pipelineInputQualityPolicy: z.enum(['fail', 'warn'], { error: 'must be "fail" or "warn"' }).default('fail'),
    /** Daily pipeline: longest wait for the inputs to be complete for the day, minutes (0-1440). Default 120. */
    pipelineFreshnessWaitMinutes: z.number().int('must be a whole number').min(0, 'must be at least 0').max(1440, 'must be at most 1440 (one day)').default(120),
  })
  .strict();

const collectionSchema = z
  .object({
    name: z.string(),
    dimensions: z.number().int('must be a whole number'),
    metric: z.enum(['cosine', 'l2', 'inner_product']),
    index: z.discriminatedUnion('type', [
      z.object({ type: z.literal('hnsw'), m: z.number().int(), efConstruction: z.number().int() }).strict(),
      z.object({ type: z.literal('ivfflat'), lists: z.number().int() }).strict(),
    ]),
  })
  .strict();

const vectorStoreSchema = z
  .object({
    /** RDS for PostgreSQL version; one of the versions whose pgvector is known (postgres-versions.ts). Default 17.8. */
    engineVersion: z
      .enum(RDS_POSTGRES_VERSIONS.map((row) => row.engine) as [RdsPostgresVersion, ...RdsPostgresVersion[]])
      .default('17.8'),
    /** Instance class without the `db.` prefix, for example t4g.micro or r7g.large. Default t4g.micro. */
    instanceClass: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an instance class such as t4g.micro or r7g.large').default('t4g.micro'),
    /** Initial storage in GiB (gp3: 20-65536). Default 20. */
    allocatedStorageGiB: z.number().int().min(20, 'must be at least 20 (gp3 minimum)').max(65_536).default(20),
    /** Storage autoscaling ceiling in GiB. Default 100. */
    maxAllocatedStorageGiB: z.number().int().max(65_536).default(100),
    /** Standby in a second AZ. Default true; required in prod. */
    multiAz: z.boolean().default(true),
    /** Default true; required in prod. */
    deletionProtection: z.boolean().default(true),
    /** Automated backup retention, 1-35 days. Default 7. */
    backupRetentionDays: days(1, 35).default(7),
    /** A port other than 5432. Default 5433. */
    port: z
      .number()
      .int()
      .min(1150, 'must be at least 1150 (RDS range)')
      .max(65_535, 'must be at most 65535')
      .refine((port) => port !== 5432, 'must not be 5432, the PostgreSQL default (cdk-nag RDS11)')
      .default(5433),
    /**
     * Master user name. Default lakehouse_admin. Changing it replaces the database: an environment
     * deployed before this setting existed keeps `postgres` by setting it explicitly.
     */
    masterUsername: z
      .string()
      .superRefine((name, ctx) => {
        const problem = masterUsernameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default(DEFAULT_MASTER_USERNAME),
    /** Days between rotations of the master secret. Default 30. */
    rotationDays: days(1, 365).default(30),
    /** Vector collections (tables). Default: document_embeddings, 1536 dims, cosine, HNSW. */
    collections: z.array(collectionSchema).min(1, 'must list at least one collection').optional(),
  })
  .strict();

const snakeName = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be 2-40 lowercase letters, digits or underscores, starting with a letter');
const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/name');

const catalogSchema = z
  .object({
    /** Business domains datasets may belong to; they become Lake Formation `domain` tag values. */
    domains: z
      .array(snakeName)
      .min(1, 'must list at least one domain')
      .max(LF_TAG_VALUES_MAX, `must list at most ${LF_TAG_VALUES_MAX} domains (Lake Formation: values per LF-tag)`)
      .default(['product_analytics', 'knowledge', 'operations']),
    /**
     * Athena cancels a query that scans more than this many megabytes (per workgroup). Default 10240
     * (10 GiB). Athena's minimum is 10 MB.
     */
    bytesScannedCutoffMb: z.number().int().min(10, 'must be at least 10 (Athena minimum, 10 MB)').max(1_000_000_000).default(10_240),
  })
  .strict();

/** A role ARN that may contain `*` in its name: IAM Identity Center roles end in a generated suffix. */
const trustedRoleArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/*-]{1,512}$/,
    'must be an IAM role ARN (a * may stand for a generated suffix), such as arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_*',
  );

const personaSchema = z
  .object({
    /** Persona name; part of its Athena workgroup name. */
    name: snakeName,
    /** Use this existing role instead of creating one. */
    roleArn: roleArn.optional(),
    /** Zones the persona may read. Default: every zone. */
    zones: z.array(z.string()).optional(),
    /** Column classifications the persona may not read. Default: none. */
    excludeClassifications: z.array(z.enum(['public', 'internal', 'confidential', 'pii'])).default([]),
    /** Also insert, delete and alter tables (engineers). Default false. */
    write: z.boolean().default(false),
    /**
     * Roles that may assume the persona role this app creates (matched on `aws:PrincipalArn`, so IAM
     * Identity Center permission-set roles can be named with `*`). Required outside dev unless `roleArn`
     * is set; in dev, empty means every principal of the account.
     */
    trustedPrincipals: z.array(trustedRoleArn).default([]),
    /** Also require MFA on the AssumeRole call (IAM users with MFA; Identity Center sessions do not carry it). Default false. */
    requireMfa: z.boolean().default(false),
    /** Also require this tag on the calling principal (`aws:PrincipalTag/<key>`). Default: none. */
    principalTag: z
      .object({
        key: z.string().min(1, 'must not be empty').max(TAG_KEY_MAX).regex(TAG_PATTERN, 'may contain only letters, digits, spaces and _ . : / = + - @'),
        value: tagValue,
      })
      .strict()
      .optional(),
  })
  .strict();

/** Default personas (issue 3): engineers see everything; analysts no pii; ML engineers curated and analytics. */
export const DEFAULT_PERSONAS: Array<z.input<typeof personaSchema>> = [
  { name: 'data_engineer', write: true },
  { name: 'analyst', excludeClassifications: ['pii'] },
  { name: 'ml_engineer', zones: ['curated', 'analytics'], excludeClassifications: ['pii'] },
];

const governanceSchema = z
  .object({
    /**
     * This environment owns the account-wide settings (Lake Formation settings and LF-tags, Glue Data
     * Catalog encryption). Exactly one environment per account may; the others reference them. Default true.
     */
    ownsAccountSettings: z.boolean().default(true),
    /** Lake Formation administrators besides the CDK deployment role, which is always added. Default none. */
    lakeFormationAdmins: z.array(roleArn).default([]),
    /**
     * ARN of the catalog key of the environment that owns the account-wide settings. Required when this
     * environment does not own them: every role that reads the catalog needs that key.
     */
    accountCatalogKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, 'must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<uuid>')
      .optional(),
    /** Register zone locations in hybrid access mode (IAM and Lake Formation permissions both apply). Default false. */
    hybridAccess: z.boolean().default(false),
    /** Who queries the lake, and what each may see. */
    personas: z.array(personaSchema).min(1, 'must list at least one persona').prefault(DEFAULT_PERSONAS),
  })
  .strict();

const environmentSchemaBase = z
  .object({
    /** The environment's name; must match its file name. */
    name: z.enum(ENVIRONMENT_NAMES),
    /** Prefix of every deterministic name (Glue databases, workgroups, stacks). Default "lakehouse". */
    project: z
      .string()
      .regex(/^[a-z][a-z0-9]{1,19}$/, 'must be 2-20 lowercase letters or digits, starting with a letter')
      .default('lakehouse'),
    /** AWS account ID. Omit for an environment-agnostic synth (dev). */
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account ID').optional(),
    /** AWS region, for example eu-west-1. Omit together with account for an environment-agnostic synth. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1')
      .optional(),
    /** Team or person accountable for the environment; tagged as `owner`. */
    owner: requiredTagValue,
    /** Cost centre for billing; tagged as `cost-center`. */
    costCenter: requiredTagValue,
    /** Extra tags for every taggable resource. Default none. */
    tags: z
      .record(tagKey, tagValue)
      .refine((tags) => Object.keys(tags).length <= MAX_EXTRA_TAGS, {
        message: `must have at most ${MAX_EXTRA_TAGS} tags: AWS allows ${TAGS_PER_RESOURCE_MAX} per resource and the app sets up to ${TAGS_PER_RESOURCE_MAX - MAX_EXTRA_TAGS} on one itself (${RESERVED_TAG_KEYS.join(', ')}, and on subnets ${CDK_OWN_TAG_KEYS.slice(0, CDK_OWN_TAGS_PER_RESOURCE).join(', ')})`,
      })
      .default({}),
    /**
     * What happens to stateful resources when their stack is deleted. Default "retain".
     * "destroy" (which also empties buckets) is an explicit opt-in and is refused for staging and prod.
     */
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    /** Retention of the platform's own log groups (functions), in days. Default 365. */
    logRetentionDays: logRetentionDays.default(365),
    network: networkSchema.prefault({}),
    storage: storageSchema.prefault({}),
    catalog: catalogSchema.prefault({}),
    ingestion: ingestionSchema.prefault({}),
    backup: backupSchema.prefault({}),
    operations: operationsSchema.prefault({}),
    vectorStore: vectorStoreSchema.prefault({}),
    embeddings: embeddingsSchema.prefault({}),
    governance: governanceSchema.prefault({}),
    /** The HTTP event collector (Segment-compatible tracking API). Default disabled. */
    collector: collectorSchema.prefault({}),
    /**
     * Erasure requests and their audit ledger (docs/privacy.md). The ledger's lock defaults per environment:
     * config/load.ts fills it in (privacy-schema.ts, withPrivacyDefaults) before this schema runs.
     */
    privacy: privacySchema.prefault({}),
  })
  .strict();

export const environmentSchema = environmentSchemaBase.superRefine((env, ctx) => {
    if (env.removalPolicy === 'destroy' && env.name !== 'dev') {
      ctx.addIssue({
        code: 'custom',
        path: ['removalPolicy'],
        message: `"destroy" is refused for ${env.name}: stateful resources in staging and prod are always retained; use "retain"`,
      });
    }
    if ((env.account === undefined) !== (env.region === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.account === undefined ? 'account' : 'region'],
        message: 'account and region must be set together (or both omitted for an environment-agnostic synth)',
      });
    }
    if (env.name !== 'dev' && env.account === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: `is required for ${env.name}: only dev may be environment-agnostic`,
      });
    }
    if (env.account === undefined && env.network.maxAzs > 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'maxAzs'],
        message: 'must be 2 without an account and region: an environment-agnostic stack only knows 2 availability zones',
      });
    }
    if (env.network.natGateways > env.network.maxAzs) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'natGateways'],
        message: `must not exceed network.maxAzs (${env.network.maxAzs}): one NAT gateway per AZ at most`,
      });
    }
    const seen = new Map<string, number>();
    env.storage.zones.forEach((zone, index) => {
      const first = seen.get(zone.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['storage', 'zones', index, 'name'],
          message: `duplicates storage.zones[${first}].name; zone names must be unique`,
        });
      } else {
        seen.set(zone.name, index);
      }
    });
    // The compliance decisions accept a single-AZ, unprotected database in dev only.
    if (env.name !== 'dev' && !(env.vectorStore.multiAz && env.vectorStore.deletionProtection)) {
      ctx.addIssue({
        code: 'custom',
        path: ['vectorStore', env.vectorStore.multiAz ? 'deletionProtection' : 'multiAz'],
        message: `must be true in ${env.name}: only the dev database may be single-AZ and without deletion protection`,
      });
    }
    // RDS refuses a storage-autoscaling ceiling less than 10 % above the allocation ("Invalid max storage size").
    const minimumCeiling = Math.ceil((env.vectorStore.allocatedStorageGiB * 11) / 10);
    if (env.vectorStore.maxAllocatedStorageGiB < minimumCeiling) {
      ctx.addIssue({
        code: 'custom',
        path: ['vectorStore', 'maxAllocatedStorageGiB'],
        message: `must be at least ${minimumCeiling}, 10 % above allocatedStorageGiB (${env.vectorStore.allocatedStorageGiB}): RDS refuses a lower autoscaling ceiling`,
      });
    }
    if (env.name !== 'dev' && env.backup.breakGlassRoleArn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', 'breakGlassRoleArn'],
        message: `is required for ${env.name}: only that role may delete recovery points`,
      });
    }
    checkVaultLock(env, ctx);
    const lock = env.backup.vaultLock;
    if (env.name === 'prod' && (!lock || !env.backup.disasterRecovery)) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', lock ? 'disasterRecovery' : 'vaultLock'],
        message: 'is required in prod: production backups are locked and copied to a DR region',
      });
    }
    if (env.backup.disasterRecovery && env.backup.disasterRecovery.region === env.region) {
      ctx.addIssue({ code: 'custom', path: ['backup', 'disasterRecovery', 'region'], message: 'must differ from the environment region' });
    }
    if (env.backup.disasterRecovery && env.account === undefined) {
      ctx.addIssue({ code: 'custom', path: ['backup', 'disasterRecovery'], message: 'needs the environment to name its account and region' });
    }
    if (env.backup.dailyRetentionDays < env.backup.continuousRetentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', 'dailyRetentionDays'],
        message: `must be at least continuousRetentionDays (${env.backup.continuousRetentionDays}) so that daily points outlast the recovery window`,
      });
    }
    if (!env.governance.ownsAccountSettings && env.governance.accountCatalogKeyArn === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['governance', 'accountCatalogKeyArn'],
        message: 'is required when ownsAccountSettings is false: name the catalog key of the environment that owns the settings',
      });
    }
    const zoneNames = env.storage.zones.map((zone) => zone.name);
    checkLakeFormationAdmins(env, ctx);
    checkDisasterRecovery(env, ctx);
    env.governance.personas.forEach((persona, index) => checkPersonaTrust(env, persona, index, ctx));
    env.governance.personas.forEach((persona, index) => {
      if (persona.name === 'engineering') {
        ctx.addIssue({
          code: 'custom',
          path: ['governance', 'personas', index, 'name'],
          message: 'is reserved for the platform\'s own workgroup; choose another persona name',
        });
      }
      if (env.governance.personas.findIndex((other) => other.name === persona.name) !== index) {
        ctx.addIssue({ code: 'custom', path: ['governance', 'personas', index, 'name'], message: 'is listed twice; persona names must be unique' });
      }
      (persona.zones ?? []).forEach((zone, zoneIndex) => {
        if (!zoneNames.includes(zone)) {
          ctx.addIssue({
            code: 'custom',
            path: ['governance', 'personas', index, 'zones', zoneIndex],
            message: `is not a zone of this environment; use one of ${zoneNames.join(', ')}`,
          });
        }
      });
    });
    refuseDuplicates(ctx, ['network', 'interfaceEndpoints'], env.network.interfaceEndpoints ?? [], 'endpoint');
    refuseDuplicates(ctx, ['catalog', 'domains'], env.catalog.domains, 'domain (LF-tag value)');
    refuseDuplicates(ctx, ['operations', 'alarmEmails'], env.operations.alarmEmails, 'e-mail address (one SNS subscription each)', (email) => email.toLowerCase());
    refuseDuplicates(ctx, ['operations', 'alarmHttpsEndpoints'], env.operations.alarmHttpsEndpoints, 'endpoint (one SNS subscription each)');
    refuseDuplicates(ctx, ['governance', 'lakeFormationAdmins'], env.governance.lakeFormationAdmins, 'administrator');
    env.governance.personas.forEach((persona, index) => {
      refuseDuplicates(ctx, ['governance', 'personas', index, 'zones'], persona.zones ?? [], 'zone');
      refuseDuplicates(ctx, ['governance', 'personas', index, 'excludeClassifications'], persona.excludeClassifications, 'classification');
      const sharing = env.governance.personas.findIndex((other) => other.roleArn !== undefined && other.roleArn === persona.roleArn);
      if (sharing !== -1 && sharing !== index) {
        ctx.addIssue({
          code: 'custom',
          path: ['governance', 'personas', index, 'roleArn'],
          message: `is also the role of governance.personas[${sharing}] (${env.governance.personas[sharing].name}); each persona needs its own role (its grants and workgroup would collide)`,
        });
      }
    });
    checkCollections(env, ctx);
    for (const issue of embeddingsIssues(env.embeddings)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (env.operations.databaseFreeStorageGiB >= env.vectorStore.allocatedStorageGiB) {
      ctx.addIssue({
        code: 'custom',
        path: ['operations', 'databaseFreeStorageGiB'],
        message: `must be below vectorStore.allocatedStorageGiB (${env.vectorStore.allocatedStorageGiB}): a threshold at or above the whole disk alarms from the first minute`,
      });
    }
    if (env.operations.iteratorAgeMinutes >= env.ingestion.streamRetentionHours * 60) {
      ctx.addIssue({
        code: 'custom',
        path: ['operations', 'iteratorAgeMinutes'],
        message: `must be below ingestion.streamRetentionHours (${env.ingestion.streamRetentionHours} h = ${env.ingestion.streamRetentionHours * 60} min): records expire before the lag alarm would fire`,
      });
    }
  });

type Environment = z.output<typeof environmentSchemaBase>;
type Context = z.core.$RefinementCtx<Environment>;

/** Refuses a value listed twice (`key` decides what counts as the same): AWS would see duplicate resources or entries. */
function refuseDuplicates<T>(ctx: Context, path: Array<string | number>, values: readonly T[], what: string, key: (value: T) => unknown = (value) => value): void {
  const keys = values.map(key);
  keys.forEach((value, index) => {
    const first = keys.indexOf(value);
    if (first !== index) {
      ctx.addIssue({ code: 'custom', path: [...path, index], message: `duplicates ${path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')}[${first}]; list each ${what} once` });
    }
  });
}

/**
 * The vault lock must admit every rule that writes into the vault: AWS Backup fails a job whose
 * retention falls outside the lock's minimum and maximum (continuous, daily and monthly points).
 */
function checkVaultLock(env: Environment, ctx: Context): void {
  const lock = env.backup.vaultLock;
  if (!lock) return;
  const rules = [
    { name: 'continuousRetentionDays', days: env.backup.continuousRetentionDays },
    { name: 'dailyRetentionDays', days: env.backup.dailyRetentionDays },
    ...(env.backup.monthlyRetentionDays === undefined ? [] : [{ name: 'monthlyRetentionDays', days: env.backup.monthlyRetentionDays }]),
  ];
  const shortest = rules.reduce((a, b) => (b.days < a.days ? b : a));
  const longest = rules.reduce((a, b) => (b.days > a.days ? b : a));
  if (lock.minRetentionDays > shortest.days) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'vaultLock', 'minRetentionDays'],
      message: `must not exceed ${shortest.name} (${shortest.days}): AWS Backup refuses rules that keep points for less than the lock's minimum`,
    });
  }
  // A maximum not above the minimum is reported by vaultLockSchema itself.
  if (lock.maxRetentionDays !== undefined && lock.maxRetentionDays > lock.minRetentionDays && lock.maxRetentionDays < longest.days) {
    ctx.addIssue({
      code: 'custom',
      path: ['backup', 'vaultLock', 'maxRetentionDays'],
      message: `must be at least ${longest.name} (${longest.days}): AWS Backup refuses rules that keep points longer than the lock's maximum`,
    });
  }
}

/** Vector collections, by the same rules the construct and its bootstrap apply (collection-validation.ts). */
function checkCollections(env: Environment, ctx: Context): void {
  const collections = env.vectorStore.collections;
  if (!collections) return;
  for (const problem of collectionProblems(collections)) {
    // A duplicate names every position (`collections[0], collections[1]`): point at the last, the repeat.
    const positions = [...problem.collection.matchAll(/collections\[(\d+)\]/g)].map((match) => Number(match[1]));
    const field = problem.field === '(root)' ? [] : problem.field.split('.');
    ctx.addIssue({
      code: 'custom',
      path: ['vectorStore', 'collections', ...positions.slice(-1), ...field],
      message: `${problem.problem}; ${problem.fix}`,
    });
  }
}

/** What an environment file declares (defaults may be omitted). */
export type EnvironmentConfigInput = z.input<typeof environmentSchema>;
/** A validated environment with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ZoneConfig = EnvironmentConfig['storage']['zones'][number];
export type PersonaConfig = EnvironmentConfig['governance']['personas'][number];
