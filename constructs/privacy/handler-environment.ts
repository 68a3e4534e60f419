/**
 * The environment-variable contract between the privacy stack and the runtime handlers of the request
 * store, the ledger and the vector forget (intake, claim, release, record, deadline-monitor,
 * monthly-report, forget-vectors):
 *
 * - `REQUESTS_TABLE`, `WORK_BUCKET`, `LEDGER_BUCKET`, `SALT_SECRET_ARN`: resource names;
 * - `PRIVACY_SETTINGS`: JSON `{ deadlines: { gdprDays, ccpaDays }, alarmDaysBeforeDeadline,
 *   ledger: { mode, retentionDays }, snapshotRetentionDays? }`, every key optional (defaults below).
 *
 * The stack builds them with `privacyHandlerEnvironment`; each handler reads what it needs with
 * `readPrivacyEnvironment`, which names every missing or bad variable in one error, so a misconfigured
 * function fails on its first invocation with that message. Pure: no AWS SDK, no CDK.
 */
import { DEADLINE_DAYS_RANGE, DEFAULT_DEADLINE_DAYS, type DeadlineDays } from './request';

export const PRIVACY_ENVIRONMENT = {
  requestsTable: 'REQUESTS_TABLE',
  workBucket: 'WORK_BUCKET',
  ledgerBucket: 'LEDGER_BUCKET',
  saltSecretArn: 'SALT_SECRET_ARN',
  settings: 'PRIVACY_SETTINGS',
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
  /** Used only when the ledger bucket has no default retention (the bucket's default is preferred). @default governance */
  readonly ledgerMode: LedgerMode;
  /** @default 2557 (7 years) */
  readonly ledgerRetentionDays: number;
  /**
   * How long Iceberg keeps snapshots (VACUUM's `vacuum_max_snapshot_age_seconds`): data files that
   * held a subject may exist until then, so the physical check looks after it. @default 5 (Glue's default)
   */
  readonly snapshotRetentionDays: number;
}

export const PRIVACY_DEFAULTS = { alarmDaysBeforeDeadline: 7, ledgerMode: 'governance', ledgerRetentionDays: 2557, snapshotRetentionDays: 5 } as const;

/** The JSON in PRIVACY_SETTINGS. */
export interface PrivacySettingsJson {
  readonly deadlines?: DeadlineDays;
  readonly alarmDaysBeforeDeadline?: number;
  readonly ledger?: { readonly mode?: LedgerMode; readonly retentionDays?: number };
  readonly snapshotRetentionDays?: number;
}

export interface PrivacyEnvironmentProps extends PrivacySettingsJson {
  readonly requestsTable?: string;
  readonly workBucket?: string;
  readonly ledgerBucket?: string;
  readonly saltSecretArn?: string;
}

/** The variables for a function (resource names given, tokens welcome; settings as one JSON value). */
export function privacyHandlerEnvironment(props: PrivacyEnvironmentProps): Record<string, string> {
  const env: Record<string, string> = {};
  if (props.requestsTable !== undefined) env[PRIVACY_ENVIRONMENT.requestsTable] = props.requestsTable;
  if (props.workBucket !== undefined) env[PRIVACY_ENVIRONMENT.workBucket] = props.workBucket;
  if (props.ledgerBucket !== undefined) env[PRIVACY_ENVIRONMENT.ledgerBucket] = props.ledgerBucket;
  if (props.saltSecretArn !== undefined) env[PRIVACY_ENVIRONMENT.saltSecretArn] = props.saltSecretArn;
  const settings: PrivacySettingsJson = {
    ...(props.deadlines ? { deadlines: props.deadlines } : {}),
    ...(props.alarmDaysBeforeDeadline !== undefined ? { alarmDaysBeforeDeadline: props.alarmDaysBeforeDeadline } : {}),
    ...(props.ledger ? { ledger: props.ledger } : {}),
    ...(props.snapshotRetentionDays !== undefined ? { snapshotRetentionDays: props.snapshotRetentionDays } : {}),
  };
  env[PRIVACY_ENVIRONMENT.settings] = JSON.stringify(settings);
  return env;
}

export class PrivacyEnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`privacy handler environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PrivacyEnvironmentError';
  }
}

type Resource = 'requestsTable' | 'workBucket' | 'ledgerBucket' | 'saltSecretArn';

/**
 * Reads the settings; `required` names the resource variables this handler cannot work without. The
 * settings have defaults; a setting that is present must be valid.
 */
export function readPrivacyEnvironment(env: Readonly<Record<string, string | undefined>>, required: readonly Resource[]): PrivacySettings {
  const problems: string[] = [];
  const text = (key: Resource): string => {
    const value = env[PRIVACY_ENVIRONMENT[key]]?.trim() ?? '';
    if (value === '' && required.includes(key)) problems.push(`${PRIVACY_ENVIRONMENT[key]} is not set`);
    return value;
  };
  let json: Record<string, unknown> = {};
  const raw = env[PRIVACY_ENVIRONMENT.settings];
  if (raw !== undefined && raw.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      problems.push(`${PRIVACY_ENVIRONMENT.settings} is not a JSON object`);
    }
  }
  const whole = (value: unknown, path: string, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(`${PRIVACY_ENVIRONMENT.settings}.${path}: got ${JSON.stringify(value)}; a whole number, ${min}-${max}`);
      return fallback;
    }
    return value;
  };
  const deadlines = (json.deadlines ?? {}) as Record<string, unknown>;
  const ledger = (json.ledger ?? {}) as Record<string, unknown>;
  const mode = ledger.mode ?? PRIVACY_DEFAULTS.ledgerMode;
  if (mode !== 'governance' && mode !== 'compliance') problems.push(`${PRIVACY_ENVIRONMENT.settings}.ledger.mode: got ${JSON.stringify(mode)}; governance or compliance`);
  const settings: PrivacySettings = {
    requestsTable: text('requestsTable'),
    workBucket: text('workBucket'),
    ledgerBucket: text('ledgerBucket'),
    saltSecretArn: text('saltSecretArn'),
    deadlines: {
      gdprDays: whole(deadlines.gdprDays, 'deadlines.gdprDays', DEFAULT_DEADLINE_DAYS.gdprDays, DEADLINE_DAYS_RANGE.min, DEADLINE_DAYS_RANGE.max),
      ccpaDays: whole(deadlines.ccpaDays, 'deadlines.ccpaDays', DEFAULT_DEADLINE_DAYS.ccpaDays, DEADLINE_DAYS_RANGE.min, DEADLINE_DAYS_RANGE.max),
    },
    alarmDaysBeforeDeadline: whole(json.alarmDaysBeforeDeadline, 'alarmDaysBeforeDeadline', PRIVACY_DEFAULTS.alarmDaysBeforeDeadline, 1, DEADLINE_DAYS_RANGE.max),
    ledgerMode: mode as LedgerMode,
    ledgerRetentionDays: whole(ledger.retentionDays, 'ledger.retentionDays', PRIVACY_DEFAULTS.ledgerRetentionDays, 1, 36_500),
    snapshotRetentionDays: whole(json.snapshotRetentionDays, 'snapshotRetentionDays', PRIVACY_DEFAULTS.snapshotRetentionDays, 0, 3_650),
  };
  if (problems.length > 0) throw new PrivacyEnvironmentError(problems);
  return settings;
}
