import { z } from 'zod';
import {
  FINDING_PUBLISHING_FREQUENCIES,
  FINDING_SEVERITIES,
  DISCOVERY_SCHEDULES,
  MAX_TRAIL_RETENTION_DAYS,
} from '../constructs/privacy/audit-limits';

/**
 * `privacy.discovery`: Amazon Macie over the lake's zone buckets (constructs/privacy/pii-discovery.ts).
 * The `privacy` section (config/privacy-schema.ts) embeds this schema; each value is refused here with
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
