import { Token } from 'aws-cdk-lib';
import { scheduleExpressionProblem } from '../common/validators/schedule-expression';
import { renderValue, type ValidationProblem } from '../common/validation-report';
import type { ErasureTarget } from './target';

/** How the workflow runs: what an environment's `privacy` section configures. */
export interface ErasureSettings {
  /** When queued requests are processed (EventBridge schedule expression), e.g. `cron(0 3 * * ? *)`. */
  readonly schedule: string;
  /** Requests claimed per execution, 1-500. */
  readonly batchSize: number;
  /** Days to complete a request, per regulation (1-90 each). */
  readonly deadlines: { readonly gdprDays: number; readonly ccpaDays: number };
  /** Days before a deadline the deadline monitor counts a request as near, ≥ 1 and below the shortest deadline. */
  readonly alarmDaysBeforeDeadline: number;
  /** The ledger bucket's Object Lock default retention. */
  readonly ledger: { readonly mode: 'governance' | 'compliance'; readonly retentionDays: number };
}

const DATABASE = /^[a-z][a-z0-9_]{0,254}$/;
const WORKGROUP = /^[A-Za-z0-9._-]{1,128}$/;
const DATASET = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * What AWS or the workflow would refuse later, refused at synth through the one validation report (the
 * construct may be used from JavaScript or with values read at run time, which types do not check).
 */
export function erasurePropsProblems(
  source: string,
  props: { readonly settings: ErasureSettings; readonly databaseName: string; readonly workgroupName: string; readonly plan: readonly ErasureTarget[]; readonly snapshotRetentionDays?: number },
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const problem = (field: string, value: unknown, allowed: string) => problems.push({ source, field, value: renderValue(value), allowed });
  const whole = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  const settings = props.settings ?? ({} as ErasureSettings);

  if (typeof settings.schedule !== 'string') problem('settings.schedule', settings.schedule, 'an EventBridge schedule expression such as cron(0 3 * * ? *)');
  else if (!Token.isUnresolved(settings.schedule)) {
    const scheduleProblem = scheduleExpressionProblem(settings.schedule);
    if (scheduleProblem) problem('settings.schedule', settings.schedule, scheduleProblem);
  }
  if (props.snapshotRetentionDays !== undefined && !whole(props.snapshotRetentionDays, 1, 3_650)) {
    problem('snapshotRetentionDays', props.snapshotRetentionDays, 'a whole number of days from 1 to 3650 (the longest snapshot retention of the plan\'s Iceberg tables)');
  }
  if (!whole(settings.batchSize, 1, 500)) problem('settings.batchSize', settings.batchSize, 'a whole number from 1 to 500');
  const deadlines = settings.deadlines ?? ({} as ErasureSettings['deadlines']);
  for (const field of ['gdprDays', 'ccpaDays'] as const) {
    if (!whole(deadlines[field], 1, 90)) problem(`settings.deadlines.${field}`, deadlines[field], 'a whole number of days from 1 to 90');
  }
  const shortest = Math.min(deadlines.gdprDays, deadlines.ccpaDays);
  if (!whole(settings.alarmDaysBeforeDeadline, 1, Number.isFinite(shortest) ? shortest - 1 : 89)) {
    problem('settings.alarmDaysBeforeDeadline', settings.alarmDaysBeforeDeadline, 'a whole number of days, at least 1 and below the shortest deadline');
  }
  const ledger = settings.ledger ?? ({} as ErasureSettings['ledger']);
  if (ledger.mode !== 'governance' && ledger.mode !== 'compliance') problem('settings.ledger.mode', ledger.mode, '"governance" or "compliance" (S3 Object Lock modes)');
  if (!whole(ledger.retentionDays, 1, 36_500)) problem('settings.ledger.retentionDays', ledger.retentionDays, 'a whole number of days from 1 to 36500 (S3 Object Lock)');

  if (!Token.isUnresolved(props.databaseName) && !DATABASE.test(String(props.databaseName))) problem('databaseName', props.databaseName, 'a Glue database name: lowercase letters, digits and underscores, starting with a letter');
  if (!Token.isUnresolved(props.workgroupName) && !WORKGROUP.test(String(props.workgroupName))) problem('workgroupName', props.workgroupName, 'an Athena workgroup name: letters, digits, ".", "_" and "-", at most 128');
  if (!Array.isArray(props.plan)) problem('plan', props.plan, 'a list of erasure plan entries (erasurePlan)');
  else {
    props.plan.forEach((entry, index) => {
      if (!DATASET.test(String(entry?.dataset))) problem(`plan[${index}].dataset`, entry?.dataset, 'a dataset name');
      if (entry?.kind !== 'iceberg' && entry?.kind !== 'parquet') problem(`plan[${index}].kind`, entry?.kind, '"iceberg" or "parquet"');
      if (!Array.isArray(entry?.keyColumns) || entry.keyColumns.length === 0) problem(`plan[${index}].keyColumns`, entry?.keyColumns, 'at least one data-subject key column');
      if (typeof entry?.prefix !== 'string' || !entry.prefix.endsWith('/')) problem(`plan[${index}].prefix`, entry?.prefix, 'the dataset\'s key prefix, ending in "/"');
    });
  }
  return problems;
}
