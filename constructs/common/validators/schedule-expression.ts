import { Token } from 'aws-cdk-lib';
import { renderValue, ValidationReport } from '../validation-report';

/**
 * AWS schedule expressions, checked the way EventBridge and AWS Backup parse them, so that a schedule
 * AWS would reject fails at synth instead of at deploy:
 *
 * - `cron(minutes hours day-of-month month day-of-week year)`: exactly six fields; one of
 *   day-of-month and day-of-week is `?` and the other is not (AWS refuses both or neither); values in
 *   range (minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or
 *   SUN-SAT, year 1970-2199); wildcards `, - * /` everywhere, `?` `L` `W` in day-of-month, `?` `L` `#`
 *   in day-of-week.
 * - `rate(value unit)`: a whole number ≥ 1 and minute, hour or day, singular for 1 and plural above
 *   (`rate(1 hours)` and `rate(5 minute)` are refused by AWS).
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

export interface ScheduleExpressionOptions {
  /** Accept `rate(...)` as well as `cron(...)`. AWS Backup (plans and restore testing) takes cron only. @default true */
  readonly allowRate?: boolean;
}

/** What is wrong with `expression`, or undefined when AWS would accept it. */
export function scheduleExpressionProblem(expression: string, options: ScheduleExpressionOptions = {}): string | undefined {
  const allowRate = options.allowRate ?? true;
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return allowRate ? rateProblem(rate[1]) : 'is a rate expression; this schedule takes cron(minutes hours day-of-month month day-of-week year) only';
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) {
    return allowRate
      ? 'must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)'
      : 'must be cron(minutes hours day-of-month month day-of-week year)';
  }
  return cronProblem(cron[1]);
}

function rateProblem(body: string): string | undefined {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!match) return 'must be rate(<whole number> <minute(s)|hour(s)|day(s)>), for example rate(1 hour) or rate(6 hours)';
  const value = Number(match[1]);
  if (value < 1) return 'must have a rate of at least 1';
  const plural = match[2].endsWith('s');
  if (value === 1 && plural) return `must use the singular unit for a rate of 1: rate(1 ${match[2].slice(0, -1)})`;
  if (value > 1 && !plural) return `must use the plural unit for a rate above 1: rate(${value} ${match[2]}s)`;
  return undefined;
}

function cronProblem(body: string): string | undefined {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return `has ${parts.length} field${parts.length === 1 ? '' : 's'}; AWS cron takes six: minutes hours day-of-month month day-of-week year, e.g. cron(0 5 ? * SUN *)`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index], field);
    if (problem) return `${field.name} field "${parts[index]}" ${problem}`;
  }
  const [dayOfMonth, dayOfWeek] = [parts[2], parts[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'must have "?" in exactly one of day-of-month and day-of-week (AWS refuses both or neither), e.g. cron(0 5 ? * SUN *) or cron(0 5 1 * ? *)';
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  if (text === '?') return field.name === 'day-of-month' || field.name === 'day-of-week' ? undefined : 'uses "?", which only day-of-month and day-of-week take';
  if (field.name === 'day-of-month' && /^(L|LW|L-\d{1,2}|\d{1,2}W)$/.test(text)) return dayNumberProblem(text.replace(/\D/g, ''), field);
  if (field.name === 'day-of-week' && /^(L|[1-7]L|[A-Z]{3}L|([1-7]|[A-Z]{3})#[1-5])$/.test(text)) {
    const day = text.replace(/(L|#[1-5])$/, '');
    return day === '' ? undefined : valueProblem(day, field);
  }
  for (const item of text.split(',')) {
    const match = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) return `is not a value, range, list or increment of ${field.name}`;
    const [, range, step] = match;
    if (step !== undefined && Number(step) < 1) return 'has an increment below 1';
    if (range === '*') continue;
    const [from, to] = range.split('-');
    const problem = valueProblem(from, field) ?? (to === undefined ? undefined : valueProblem(to, field));
    if (problem) return problem;
  }
  return undefined;
}

function dayNumberProblem(digits: string, field: CronField): string | undefined {
  return digits === '' ? undefined : valueProblem(digits, field);
}

function valueProblem(value: string, field: CronField): string | undefined {
  const named = field.names?.indexOf(value.toUpperCase()) ?? -1;
  if (named >= 0) return undefined;
  const allowed = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  if (!/^\d+$/.test(value)) return `has "${value}", which is not a ${field.name} value (${allowed})`;
  const number = Number(value);
  if (number < field.min || number > field.max) return `has ${number}, outside ${allowed}`;
  return undefined;
}

/**
 * Throws a ValidationReport naming `source` and `field` when AWS would reject `expression`. Tokens are
 * let through (their value is only known at deploy).
 */
export function assertScheduleExpression(source: string, field: string, expression: string, options: ScheduleExpressionOptions = {}): void {
  if (Token.isUnresolved(expression)) return;
  const problem = scheduleExpressionProblem(expression, options);
  if (problem) throw new ValidationReport([{ source, field, value: renderValue(expression), allowed: problem }]);
}
