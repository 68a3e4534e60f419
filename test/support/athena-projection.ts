/**
 * A model of how Athena resolves a partition-projected table, built only from the Glue table's
 * parameters (what Athena itself reads): which values each key can take, and the S3 location of a
 * partition. Used to check that every object ingestion writes is one Athena will read.
 */
export interface ProjectedTable {
  /** Why `values` is not a projected partition, or undefined when it is one. */
  reject(values: Record<string, string>): string | undefined;
  /** The partition's location, from `storage.location.template`. */
  location(values: Record<string, string>): string;
}

const DAY_MS = 86_400_000;

export function projectedTable(parameters: Record<string, string>, keyNames: readonly string[], now: Date): ProjectedTable {
  if (parameters['projection.enabled'] !== 'true') throw new Error('projection is not enabled');
  const template = parameters['storage.location.template'];
  for (const key of keyNames) {
    if (!template.includes(`\${${key}}`)) throw new Error(`storage.location.template does not use \${${key}}`);
  }
  const checks = keyNames.map((key) => [key, keyCheck(key, parameters, now)] as const);
  return {
    reject(values) {
      for (const [key, check] of checks) {
        const problem = check(values[key]);
        if (problem) return `${key}=${values[key]}: ${problem}`;
      }
      return undefined;
    },
    location(values) {
      return template.replace(/\$\{(\w+)\}/g, (_, key: string) => values[key]);
    },
  };
}

function keyCheck(key: string, parameters: Record<string, string>, now: Date): (value: string | undefined) => string | undefined {
  const get = (property: string) => parameters[`projection.${key}.${property}`];
  switch (get('type')) {
    case 'enum': {
      const values = get('values').split(',');
      return (value) => (value !== undefined && values.includes(value) ? undefined : `not in enum [${values.join(',')}]`);
    }
    case 'injected':
      return (value) => (value ? undefined : 'injected value missing');
    case 'integer': {
      const [min, max] = get('range').split(',').map(Number);
      const digits = Number(get('digits') ?? '1');
      return (value) => {
        if (value === undefined || !/^\d+$/.test(value)) return 'not an integer';
        const number = Number(value);
        if (number < min || number > max) return `outside ${min}-${max}`;
        if (value !== String(number).padStart(digits, '0')) return `not rendered with ${digits} digits`;
        return undefined;
      };
    }
    case 'date': {
      const format = get('format');
      const unit = get('interval.unit');
      const [start, end] = get('range').split(',').map((bound) => resolveBound(bound, now));
      return (value) => {
        const parsed = value === undefined ? undefined : parseDate(value, format);
        if (!parsed) return `does not match format ${format}`;
        const first = truncate(start, unit);
        const last = truncate(end, unit);
        if (parsed < first || parsed > last) return `outside projection range ${get('range')}`;
        return undefined;
      };
    }
    default:
      throw new Error(`projection.${key}.type is ${String(get('type'))}`);
  }
}

/** `NOW`, `NOW-400DAYS`, `NOW+1MONTHS`, or a literal date. */
function resolveBound(bound: string, now: Date): Date {
  const match = /^NOW(?:([+-])(\d+)(DAYS|MONTHS|HOURS))?$/.exec(bound.trim());
  if (!match) throw new Error(`unsupported range bound ${bound}`);
  const sign = match[1] === '-' ? -1 : 1;
  const amount = Number(match[2] ?? 0) * sign;
  const date = new Date(now);
  if (match[3] === 'DAYS') date.setTime(date.getTime() + amount * DAY_MS);
  if (match[3] === 'HOURS') date.setTime(date.getTime() + amount * 3_600_000);
  if (match[3] === 'MONTHS') date.setUTCMonth(date.getUTCMonth() + amount);
  return date;
}

function truncate(date: Date, unit: string): Date {
  if (unit === 'MONTHS') return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function parseDate(value: string, format: string): Date | undefined {
  if (format === 'yyyy-MM-dd') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return undefined;
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return date.toISOString().slice(0, 10) === value ? date : undefined;
  }
  if (format === 'yyyy-MM') {
    const match = /^(\d{4})-(\d{2})$/.exec(value);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) return undefined;
    return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  }
  throw new Error(`unsupported date format ${format}`);
}
