/**
 * The environment-variable contract between the privacy stack and the runtime handlers of the request
 * store, the ledger and the vector forget (intake, claim, release, record, deadline-monitor,
 * monthly-report, forget-vectors). The stack builds the variables with `privacyHandlerEnvironment`;
 * each handler reads the ones it needs with `readPrivacyEnvironment`, which names every missing or bad
 * variable in one error (a misconfigured function fails on its first invocation with that message).
 * Pure: no AWS SDK, no CDK.
 */
import { DEADLINE_DAYS_RANGE, DEFAULT_DEADLINE_DAYS, type DeadlineDays } from './request';

export const PRIVACY_ENVIRONMENT = {
  requestsTable: 'REQUESTS_TABLE',
  workBucket: 'WORK_BUCKET',
  ledgerBucket: 'LEDGER_BUCKET',
  saltSecretArn: 'SALT_SECRET_ARN',
  gdprDays: 'PRIVACY_GDPR_DEADLINE_DAYS',
  ccpaDays: 'PRIVACY_CCPA_DEADLINE_DAYS',
  alarmDaysBeforeDeadline: 'PRIVACY_ALARM_DAYS_BEFORE_DEADLINE',
  ledgerMode: 'PRIVACY_LEDGER_MODE',
  ledgerRetentionDays: 'PRIVACY_LEDGER_RETENTION_DAYS',
  snapshotRetentionDays: 'PRIVACY_ICEBERG_SNAPSHOT_RETENTION_DAYS',
} as const;

export type LedgerMode = 'governance' | 'compliance';

export interface PrivacySettings {
  readonly requestsTable: string;
  readonly workBucket: string;
  readonly ledgerBucket: string;
  readonly saltSecretArn: string;
  readonly deadlines: DeadlineDays;
  /** RequestsNearDeadline counts open requests whose deadline is at most this many days away. @default 7 */
  readonly alarmDaysBeforeDeadline: number;
  /** Used only when the ledger bucket has no default retention (the bucket's default is preferred). */
  readonly ledgerMode: LedgerMode;
  readonly ledgerRetentionDays: number;
  /**
   * How long Iceberg keeps snapshots (VACUUM's `vacuum_max_snapshot_age_seconds`): data files that
   * held a subject may exist until then, so the physical check looks after it. @default 5 (Glue's default)
   */
  readonly snapshotRetentionDays: number;
}

export const PRIVACY_DEFAULTS = { alarmDaysBeforeDeadline: 7, ledgerMode: 'governance', ledgerRetentionDays: 2557, snapshotRetentionDays: 5 } as const;

/** What the stack passes; the strings the functions receive (`privacyHandlerEnvironment`). */
export interface PrivacyEnvironmentProps {
  readonly requestsTable?: string;
  readonly workBucket?: string;
  readonly ledgerBucket?: string;
  readonly saltSecretArn?: string;
  readonly deadlines?: DeadlineDays;
  readonly alarmDaysBeforeDeadline?: number;
  readonly ledgerMode?: LedgerMode;
  readonly ledgerRetentionDays?: number;
  readonly snapshotRetentionDays?: number;
}

/** The variables for a function (only the props given; tokens welcome). */
export function privacyHandlerEnvironment(props: PrivacyEnvironmentProps): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set(PRIVACY_ENVIRONMENT.requestsTable, props.requestsTable);
  set(PRIVACY_ENVIRONMENT.workBucket, props.workBucket);
  set(PRIVACY_ENVIRONMENT.ledgerBucket, props.ledgerBucket);
  set(PRIVACY_ENVIRONMENT.saltSecretArn, props.saltSecretArn);
  set(PRIVACY_ENVIRONMENT.gdprDays, props.deadlines?.gdprDays);
  set(PRIVACY_ENVIRONMENT.ccpaDays, props.deadlines?.ccpaDays);
  set(PRIVACY_ENVIRONMENT.alarmDaysBeforeDeadline, props.alarmDaysBeforeDeadline);
  set(PRIVACY_ENVIRONMENT.ledgerMode, props.ledgerMode);
  set(PRIVACY_ENVIRONMENT.ledgerRetentionDays, props.ledgerRetentionDays);
  set(PRIVACY_ENVIRONMENT.snapshotRetentionDays, props.snapshotRetentionDays);
  return env;
}

export class PrivacyEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`privacy handler environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PrivacyEnvironmentError';
  }
}

type Required = 'requestsTable' | 'workBucket' | 'ledgerBucket' | 'saltSecretArn';

/**
 * Reads the settings; `required` names the resource variables this handler cannot work without. The
 * tunables have defaults; a tunable that is set must be valid.
 */
export function readPrivacyEnvironment(env: Readonly<Record<string, string | undefined>>, required: readonly Required[]): PrivacySettings {
  const problems: string[] = [];
  const text = (key: Required): string => {
    const value = env[PRIVACY_ENVIRONMENT[key]]?.trim() ?? '';
    if (value === '' && required.includes(key)) problems.push(`${PRIVACY_ENVIRONMENT[key]} is not set`);
    return value;
  };
  const whole = (key: keyof typeof PRIVACY_ENVIRONMENT, fallback: number, min: number, max: number): number => {
    const raw = env[PRIVACY_ENVIRONMENT[key]];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      problems.push(`${PRIVACY_ENVIRONMENT[key]}=${JSON.stringify(raw)}: a whole number, ${min}-${max}`);
      return fallback;
    }
    return value;
  };
  const settings = {
    requestsTable: text('requestsTable'),
    workBucket: text('workBucket'),
    ledgerBucket: text('ledgerBucket'),
    saltSecretArn: text('saltSecretArn'),
    deadlines: {
      gdprDays: whole('gdprDays', DEFAULT_DEADLINE_DAYS.gdprDays, DEADLINE_DAYS_RANGE.min, DEADLINE_DAYS_RANGE.max),
      ccpaDays: whole('ccpaDays', DEFAULT_DEADLINE_DAYS.ccpaDays, DEADLINE_DAYS_RANGE.min, DEADLINE_DAYS_RANGE.max),
    },
    alarmDaysBeforeDeadline: whole('alarmDaysBeforeDeadline', PRIVACY_DEFAULTS.alarmDaysBeforeDeadline, 1, DEADLINE_DAYS_RANGE.max),
    ledgerMode: PRIVACY_DEFAULTS.ledgerMode as LedgerMode,
    ledgerRetentionDays: whole('ledgerRetentionDays', PRIVACY_DEFAULTS.ledgerRetentionDays, 1, 36_500),
    snapshotRetentionDays: whole('snapshotRetentionDays', PRIVACY_DEFAULTS.snapshotRetentionDays, 0, 3_650),
  };
  const mode = env[PRIVACY_ENVIRONMENT.ledgerMode];
  if (mode !== undefined && mode !== '') {
    if (mode === 'governance' || mode === 'compliance') settings.ledgerMode = mode;
    else problems.push(`${PRIVACY_ENVIRONMENT.ledgerMode}=${JSON.stringify(mode)}: governance or compliance`);
  }
  if (problems.length > 0) throw new PrivacyEnvironmentError(problems);
  return settings;
}
