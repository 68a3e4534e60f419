import { z } from 'zod';
import type { ConfigProblem } from './errors';
import {
  FINDING_PUBLISHING_FREQUENCIES,
  FINDING_SEVERITIES,
  DISCOVERY_SCHEDULES,
  MAX_TRAIL_RETENTION_DAYS,
} from '../constructs/privacy/audit-limits';

/**
 * `privacy.discovery`: Amazon Macie over the lake's zone buckets (constructs/privacy/pii-discovery.ts).
 * The environment schema's `privacy` section embeds this schema; each value is refused here with
 * the same limits the construct checks at synth, so the two never disagree.
 */
export const privacyDiscoverySchema = z
  .object({
    /** Run PII discovery. Default true; the shipped dev config turns it off (Macie bills per GB scanned). */
    enabled: z.boolean().default(true),
    /** How often Macie publishes updates of existing findings (new findings are published at once). Default FIFTEEN_MINUTES. */
    findingPublishingFrequency: z.enum(FINDING_PUBLISHING_FREQUENCIES).default('FIFTEEN_MINUTES'),
    /** How often the classification job runs; each run scans only objects created or changed since the last. Default weekly. */
    schedule: z.enum(DISCOVERY_SCHEDULES).default('weekly'),
    /** Percentage of eligible objects each run analyses, a whole number 1-100. Default 10. */
    samplingPercentage: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(10),
    /**
     * Create the account's Macie session here (`AWS::Macie::Session`). Set false where an Organizations
     * delegated administrator already enabled Macie: creating the session would then fail. Default true.
     */
    manageMacieSession: z.boolean().default(true),
    /** Findings of this severity or higher reach the alarm topic. Default Medium. */
    minimumSeverity: z.enum(FINDING_SEVERITIES).default('Medium'),
  })
  .strict();

/**
 * `privacy.accessTrail`: a CloudTrail trail of reads and writes on the lake's zone buckets (S3 data
 * events) and of the account's management events, which is where Glue Data Catalog and Lake Formation
 * calls are recorded (constructs/privacy/access-trail.ts).
 */
export const privacyAccessTrailSchema = z
  .object({
    /** Record lake access. Default true; the shipped dev config opts out (data events bill per 100,000). */
    enabled: z.boolean().default(true),
    /** Days the trail's log files are kept in its bucket (then expired, all versions). Default 2557 (7 years). */
    retentionDays: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_TRAIL_RETENTION_DAYS, `must be at most ${MAX_TRAIL_RETENTION_DAYS} (10 years)`)
      .default(2557),
    /** Record reads (GetObject, Glue Get*, Lake Formation GetDataAccess) as well as writes. Default true. */
    includeReads: z.boolean().default(true),
  })
  .strict();

export type PrivacyDiscoveryConfig = z.output<typeof privacyDiscoverySchema>;
export type PrivacyAccessTrailConfig = z.output<typeof privacyAccessTrailSchema>;

/** What the Macie-session check reads of an environment (its name, where it deploys, its discovery section). */
export interface MacieSessionEnvironment {
  readonly name: string;
  readonly account?: string;
  readonly region?: string;
  readonly discovery: PrivacyDiscoveryConfig;
}

/**
 * A Macie session exists once per account and region, and creating a second one fails the deploy:
 * at most one environment per account and region may manage it. Returns the problem for `config`'s
 * file, or undefined. An environment without an account (dev) deploys wherever its credentials point
 * and cannot be checked here.
 */
export function macieSessionProblem(config: MacieSessionEnvironment, others: readonly MacieSessionEnvironment[]): ConfigProblem | undefined {
  const manages = (env: MacieSessionEnvironment) => env.discovery.enabled && env.discovery.manageMacieSession;
  if (!manages(config) || config.account === undefined) return undefined;
  const rival = others.find((other) => other.name !== config.name && other.account === config.account && other.region === config.region && manages(other));
  if (!rival) return undefined;
  return {
    field: 'privacy.discovery.manageMacieSession',
    value: 'true',
    allowed:
      `environment "${rival.name}" also manages the Macie session of account ${config.account} in ${config.region}; ` +
      'Macie has one session per account and region: set manageMacieSession: false in one of them',
  };
}
