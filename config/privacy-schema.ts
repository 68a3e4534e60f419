import { z } from 'zod';
import { scheduleExpressionProblem } from '../constructs/common/validators/schedule-expression';
import { privacyAccessTrailSchema, privacyDiscoverySchema } from './privacy-audit-schema';

/**
 * The `privacy` section of an environment: the erasure workflow (right to erasure, GDPR Art. 17 and
 * CCPA deletion requests) and its audit ledger, with PII discovery (`discovery`) and the access trail
 * (`accessTrail`) as sub-schemas of their own.
 *
 * The ledger's Object Lock has a per-environment default (applied by `withPrivacyDefaults` before the
 * schema runs, so the schema sees one value and reports it like any other): dev keeps entries 1 day in
 * governance mode (disposable, deletable by a privileged user); staging and prod keep them 2557 days
 * (7 years) in compliance mode, which nobody, root included, can shorten or delete early.
 */

/** Days a regulation allows; both bounds are inclusive. */
const deadlineDays = (what: string) =>
  z
    .number({ error: 'must be a number of days' })
    .int('must be a whole number of days')
    .min(1, `must be at least 1 (${what})`)
    .max(90, `must be at most 90 (${what}: the law's deadline with its one extension)`);

export const LEDGER_MODES = ['governance', 'compliance'] as const;
export type LedgerMode = (typeof LEDGER_MODES)[number];

/** S3 Object Lock's longest default retention (100 years, in days). */
export const OBJECT_LOCK_MAX_DAYS = 36_500;

const ledgerSchema = z
  .object({
    /** Object Lock mode of the ledger bucket's default retention. Default: governance in dev, compliance elsewhere. */
    mode: z.enum(LEDGER_MODES, { error: 'must be "governance" (privileged users may delete early) or "compliance" (nobody may)' }).default('compliance'),
    /** Days every ledger object is locked. Default: 1 in dev, 2557 (7 years) elsewhere. */
    retentionDays: z
      .number({ error: 'must be a number of days' })
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 (S3 Object Lock minimum)')
      .max(OBJECT_LOCK_MAX_DAYS, `must be at most ${OBJECT_LOCK_MAX_DAYS} (S3 Object Lock maximum, 100 years)`)
      .default(2557),
  })
  .strict();

export const privacySchema = z
  .object({
    /** Deploy the privacy stack (erasure workflow, ledger). Default true. */
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /** When queued requests are processed: an EventBridge schedule expression. Default daily 03:00 UTC, after the 01:30 ELT. */
    schedule: z
      .string({ error: 'must be a schedule expression such as cron(0 3 * * ? *)' })
      .superRefine((expression, ctx) => {
        const problem = scheduleExpressionProblem(expression);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('cron(0 3 * * ? *)'),
    /** Requests per batch (one batch per execution). Default 50. */
    batchSize: z
      .number({ error: 'must be a number of requests' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(500, 'must be at most 500 (the subjects of one batch go into one Athena query per dataset)')
      .default(50),
    /** Days to complete a request, per regulation. Default gdpr 30 (one month), ccpa 45. */
    deadlines: z
      .object({
        gdprDays: deadlineDays('GDPR').default(30),
        ccpaDays: deadlineDays('CCPA').default(45),
      })
      .strict()
      .prefault({}),
    /** Alarm when an open request is this many days from its deadline. Default 7. */
    alarmDaysBeforeDeadline: z.number({ error: 'must be a number of days' }).int('must be a whole number of days').min(1, 'must be at least 1').default(7),
    /** The audit ledger's Object Lock (see the file comment for the per-environment default). */
    // The schema's own fallback is the strict one; config/load.ts puts dev's in first (withPrivacyDefaults).
    ledger: ledgerSchema.prefault({}),
    /** PII discovery with Amazon Macie over the zone buckets (privacy-audit-schema.ts). Default on; dev opts out. */
    discovery: privacyDiscoverySchema.prefault({}),
    /** CloudTrail trail of lake access (S3 data events, catalog calls) (privacy-audit-schema.ts). Default on; dev opts out. */
    accessTrail: privacyAccessTrailSchema.prefault({}),
  })
  .strict()
  .superRefine((privacy, ctx) => {
    const shortest = Math.min(privacy.deadlines.gdprDays, privacy.deadlines.ccpaDays);
    if (privacy.alarmDaysBeforeDeadline >= shortest) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarmDaysBeforeDeadline'],
        message: `must be below the shortest deadline (${shortest} days): an alarm that early fires the day a request arrives`,
      });
    }
  });

export type PrivacyConfig = z.output<typeof privacySchema>;
export type PrivacyLedgerConfig = PrivacyConfig['ledger'];

/** The ledger's default Object Lock per environment (see the file comment). */
export function defaultLedger(environment: string): PrivacyLedgerConfig {
  return environment === 'dev' ? { mode: 'governance', retentionDays: 1 } : { mode: 'compliance', retentionDays: 2557 };
}

/**
 * The raw environment with the per-environment defaults of `privacy` filled in where the file leaves
 * them out (each ledger field on its own). Anything that is not the expected shape is left as it is,
 * for the schema to report.
 */
export function withPrivacyDefaults(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const environment = raw as Record<string, unknown>;
  const privacy = environment.privacy ?? {};
  if (privacy === null || typeof privacy !== 'object' || Array.isArray(privacy)) return raw;
  const section = privacy as Record<string, unknown>;
  const ledger = section.ledger ?? {};
  if (ledger === null || typeof ledger !== 'object' || Array.isArray(ledger)) return raw;
  const defaults = defaultLedger(typeof environment.name === 'string' ? environment.name : '');
  return { ...environment, privacy: { ...section, ledger: { ...defaults, ...(ledger as Record<string, unknown>) } } };
}
