/**
 * Checks a record against a dataset's contract before it is sent, so that nothing Firehose would route to
 * the error prefix (or fail to convert to Parquet) leaves the producer silently. Every rule is derived
 * from the `DatasetDefinition`: its columns and their Glue types, its event-time window and its
 * partition keys. Nothing about a particular dataset is written here.
 */
import { maxFutureSkewHours, maxLatenessDays, valueKeys } from '../constructs/datasets/defaults';
import { parseGlueType, renderGlueType, type GlueType } from '../constructs/datasets/glue-type';
import type { DatasetDefinition } from '../constructs/datasets/model';
import { isIsoDate, parseCanonicalTimestamp } from './timestamps';

/** Kinesis Data Streams limits for PutRecords (API reference, PutRecords). */
export const KINESIS_LIMITS = {
  /** Records per PutRecords call. */
  maxRecordsPerCall: 500,
  /** Bytes per PutRecords call, data blobs and partition keys together (5 MiB). */
  maxBytesPerCall: 5 * 1024 * 1024,
  /** Bytes per record, data blob and partition key together (1 MiB). */
  maxBytesPerRecord: 1024 * 1024,
  /** Partition key length, in Unicode characters. */
  maxPartitionKeyLength: 256,
} as const;

export interface ValidateOptions {
  /**
   * The partition key the record will be sent with: counted in the 1 MiB record limit and checked for
   * length. Without it only the data is counted.
   */
  readonly partitionKey?: string;
  /**
   * Narrows the accepted event-time window by this much at both ends, for records that may wait
   * (retries, a stream backlog) before Firehose evaluates them. @default 0, the contract's exact bounds
   */
  readonly windowMarginMs?: number;
}

/** The outcome of a check, with the serialized record when it could be serialized. */
export interface RecordCheck {
  readonly reasons: string[];
  /** `JSON.stringify(record)`, what is sent. */
  readonly json?: string;
  /** Bytes of the data blob plus the partition key. */
  readonly bytes?: number;
}

interface CompiledDataset {
  readonly columns: ReadonlyMap<string, GlueType>;
  readonly columnList: string;
  /** Source fields of value keys that are not columns: allowed as extra top-level fields. */
  readonly sourceFields: ReadonlySet<string>;
  readonly eventTimeColumn?: string;
  readonly latenessMs: number;
  readonly futureSkewMs: number;
}

const compiled = new WeakMap<DatasetDefinition, CompiledDataset>();

function compile(dataset: DatasetDefinition): CompiledDataset {
  let result = compiled.get(dataset);
  if (!result) {
    const columns = new Map(dataset.columns.map((column) => [column.name, parseGlueType(column.type)] as const));
    const source = dataset.partitioning.time.source;
    result = {
      columns,
      columnList: dataset.columns.map((column) => column.name).join(', '),
      sourceFields: new Set(valueKeys(dataset).map((key) => key.sourceField).filter((field) => !columns.has(field))),
      eventTimeColumn: source.kind === 'event-time' ? source.column : undefined,
      latenessMs: maxLatenessDays(dataset) * 86_400_000,
      futureSkewMs: maxFutureSkewHours(dataset) * 3_600_000,
    };
    compiled.set(dataset, result);
  }
  return result;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const INTEGER_RANGES = {
  tinyint: [-128, 127],
  smallint: [-32_768, 32_767],
  int: [-2_147_483_648, 2_147_483_647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Compact name of a type for messages: a scalar as Glue spells it, a complex type by its kind only. */
function typeName(type: GlueType): string {
  return type.kind === 'array' || type.kind === 'map' || type.kind === 'struct' ? type.kind : renderGlueType(type);
}

function hasField(type: Extract<GlueType, { kind: 'struct' }>, name: string): boolean {
  for (const field of type.fields) if (field.name === name) return true;
  return false;
}

function mismatch(value: unknown, type: GlueType, path: string, reasons: string[]): void {
  reasons.push(`${path}: expected ${typeName(type)}, got ${kindOf(value)} ${preview(value)}`);
}

/** Checks `value` against `type`, pushing `path: problem` reasons. Null (and a missing value) is allowed. */
function checkValue(value: unknown, type: GlueType, path: string, reasons: string[]): void {
  if (value === null || value === undefined) return;
  switch (type.kind) {
    case 'primitive':
      switch (type.name) {
        case 'string':
          if (typeof value !== 'string') mismatch(value, type, path, reasons);
          return;
        case 'boolean':
          if (typeof value !== 'boolean') mismatch(value, type, path, reasons);
          return;
        case 'tinyint':
        case 'smallint':
        case 'int':
        case 'bigint': {
          const [min, max] = INTEGER_RANGES[type.name];
          if (typeof value !== 'number' || !Number.isInteger(value)) mismatch(value, type, path, reasons);
          else if (value < min || value > max) reasons.push(`${path}: ${value} is outside the ${type.name} range ${min}..${max}${type.name === 'bigint' ? ' (exact integers in JSON from JavaScript)' : ''}`);
          return;
        }
        case 'float':
        case 'double':
          if (typeof value !== 'number') mismatch(value, type, path, reasons);
          else if (!Number.isFinite(value)) reasons.push(`${path}: ${value} cannot be sent (JSON has no NaN or Infinity; it would be stored as null)`);
          return;
        case 'date':
          if (typeof value !== 'string') mismatch(value, type, path, reasons);
          else if (!isIsoDate(value)) reasons.push(`${path}: "${value}" is not a date of the form yyyy-mm-dd`);
          return;
        case 'timestamp': {
          if (typeof value !== 'string') {
            mismatch(value, type, path, reasons);
            return;
          }
          const parsed = parseCanonicalTimestamp(value);
          if (!parsed.ok) reasons.push(`${path}: ${parsed.reason}`);
          return;
        }
        case 'binary':
          if (typeof value !== 'string') mismatch(value, type, path, reasons);
          else if (!BASE64.test(value)) reasons.push(`${path}: binary values are sent as base64 strings`);
          return;
      }
      return;
    case 'varchar':
    case 'char':
      if (typeof value !== 'string') mismatch(value, type, path, reasons);
      else if ([...value].length > type.length) reasons.push(`${path}: ${[...value].length} characters exceed ${type.kind}(${type.length})`);
      return;
    case 'decimal': {
      const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value : undefined;
      const match = text === undefined ? null : /^-?(\d+)(?:\.(\d+))?$/.exec(text);
      if (!match) {
        if (text === undefined) mismatch(value, type, path, reasons);
        else reasons.push(`${path}: "${text}" is not a plain decimal number`);
        return;
      }
      const integerDigits = match[1].replace(/^0+(?=\d)/, '').replace(/^0$/, '').length;
      const fractionDigits = (match[2] ?? '').replace(/0+$/, '').length;
      if (integerDigits > type.precision - type.scale || fractionDigits > type.scale) {
        reasons.push(`${path}: ${text} does not fit decimal(${type.precision},${type.scale})`);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) {
        mismatch(value, type, path, reasons);
        return;
      }
      for (let index = 0; index < value.length; index += 1) checkValue(value[index], type.element, `${path}[${index}]`, reasons);
      return;
    case 'map':
      if (!isPlainObject(value)) {
        mismatch(value, type, path, reasons);
        return;
      }
      for (const [key, element] of Object.entries(value)) {
        checkMapKey(key, type.key, `${path} key "${key}"`, reasons);
        checkValue(element, type.value, `${path}["${key}"]`, reasons);
      }
      return;
    case 'struct': {
      if (!isPlainObject(value)) {
        mismatch(value, type, path, reasons);
        return;
      }
      for (const key of Object.keys(value)) {
        if (!hasField(type, key)) reasons.push(`${path}.${key}: unknown field (the struct has: ${type.fields.map((field) => field.name).join(', ')})`);
      }
      for (const field of type.fields) checkValue(value[field.name], field.type, `${path}.${field.name}`, reasons);
      return;
    }
  }
}

/** JSON object keys are strings; a map with non-string keys needs keys that parse as that type. */
function checkMapKey(key: string, type: GlueType, path: string, reasons: string[]): void {
  if (type.kind === 'varchar' || type.kind === 'char' || (type.kind === 'primitive' && (type.name === 'string' || type.name === 'date' || type.name === 'timestamp'))) {
    checkValue(key, type, path, reasons);
    return;
  }
  if (type.kind === 'primitive' && type.name === 'boolean') {
    if (key !== 'true' && key !== 'false') reasons.push(`${path}: not a boolean`);
    return;
  }
  const number = key.trim() === '' ? Number.NaN : Number(key);
  if (Number.isNaN(number)) reasons.push(`${path}: not a ${typeName(type)}`);
  else checkValue(type.kind === 'decimal' ? key : number, type, path, reasons);
}

function preview(value: unknown): string {
  if (typeof value === 'object') return '';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const ISO = (ms: number) => new Date(ms).toISOString();

/**
 * Checks `record` against `dataset` at time `now`, and serializes it. Reasons are empty when the
 * record may be sent. See `validateRecord` for the rules.
 */
export function checkRecord(record: unknown, dataset: DatasetDefinition, now: Date | number, options: ValidateOptions = {}): RecordCheck {
  const contract = compile(dataset);
  const reasons: string[] = [];
  if (!isPlainObject(record)) return { reasons: [`a ${dataset.name} record must be a JSON object, got ${kindOf(record)}`] };

  for (const field of Object.keys(record)) {
    if (!contract.columns.has(field) && !contract.sourceFields.has(field)) {
      reasons.push(`${field}: unknown field, not a column of ${dataset.name} (columns: ${contract.columnList})`);
    }
  }
  for (const [name, type] of contract.columns) checkValue(record[name], type, name, reasons);

  if (contract.eventTimeColumn !== undefined) {
    const column = contract.eventTimeColumn;
    const value = record[column];
    if (value === undefined || value === null) {
      reasons.push(`${column}: required, ${dataset.name} is partitioned by it (without it Firehose writes the record to the error prefix)`);
    } else if (typeof value === 'string') {
      const parsed = parseCanonicalTimestamp(value);
      if (parsed.ok) {
        // Firehose's jq compares whole seconds (it cuts the fraction) with its clock, bounds included.
        const seconds = Math.floor(parsed.epochMs / 1000) * 1000;
        const nowMs = typeof now === 'number' ? now : now.getTime();
        const margin = options.windowMarginMs ?? 0;
        const earliest = nowMs - contract.latenessMs + margin;
        const latest = nowMs + contract.futureSkewMs - margin;
        if (seconds < earliest) {
          reasons.push(
            `${column}: ${value} is too late: older than ${maxLatenessDays(dataset)} days (earliest accepted ${ISO(earliest)}); ` +
              'Firehose would write it to the error prefix',
          );
        } else if (seconds > latest) {
          reasons.push(
            `${column}: ${value} is too far in the future: more than ${maxFutureSkewHours(dataset)} h ahead (latest accepted ${ISO(latest)}); ` +
              'Firehose would write it to the error prefix',
          );
        }
      }
    }
  }

  for (const key of valueKeys(dataset)) {
    const value = record[key.sourceField];
    if (value === undefined || value === null) {
      reasons.push(
        key.kind === 'enum'
          ? `${key.sourceField}: required for partition key ${key.name} (${key.values.join(', ')}); a missing value is filed under "${key.otherValue ?? 'unknown'}"`
          : `${key.sourceField}: required for partition key ${key.name}; without it Firehose writes the record to the error prefix`,
      );
    } else if (key.kind === 'injected' && (typeof value !== 'string' || value.length === 0)) {
      reasons.push(`${key.sourceField}: partition key ${key.name} needs a non-empty string, got ${kindOf(value)} ${preview(value)}`);
    }
  }

  const partitionKey = options.partitionKey;
  // A string has at most as many characters (code points) as UTF-16 units: spread only long ones.
  if (partitionKey !== undefined && (partitionKey.length === 0 || (partitionKey.length > KINESIS_LIMITS.maxPartitionKeyLength && [...partitionKey].length > KINESIS_LIMITS.maxPartitionKeyLength))) {
    reasons.push(`partition key: must be 1-${KINESIS_LIMITS.maxPartitionKeyLength} characters, got ${[...partitionKey].length}`);
  }

  let json: string | undefined;
  try {
    json = JSON.stringify(record);
  } catch (error) {
    reasons.push(`the record cannot be serialized as JSON: ${error instanceof Error ? error.message : String(error)}`);
    return { reasons };
  }
  const bytes = Buffer.byteLength(json, 'utf8') + (partitionKey === undefined ? 0 : Buffer.byteLength(partitionKey, 'utf8'));
  if (bytes > KINESIS_LIMITS.maxBytesPerRecord) {
    reasons.push(
      `the record is ${bytes} bytes${partitionKey === undefined ? '' : ' with its partition key'}, over the Kinesis limit of ${KINESIS_LIMITS.maxBytesPerRecord} bytes (1 MiB)`,
    );
  }
  return { reasons, json, bytes };
}

/**
 * Why `record` may not be sent to `dataset`'s stream at time `now`; empty when it may. Derived from the
 * contract:
 * - every top-level field is a column, or the source field of one of its partition keys;
 * - every value matches its column's Glue type (nested arrays, maps and structs included; null is
 *   allowed; timestamps are ISO-8601 UTC strings `yyyy-MM-ddTHH:mm:ss[.SSS]Z`, dates `yyyy-mm-dd`);
 * - for event-time partitioning, the time column is present and inside the window the contract's JQ
 *   query accepts (`maxLatenessDays` back, `maxFutureSkewHours` ahead, bounds included);
 * - the source field of every enum or injected partition key is present;
 * - the serialized record, with its partition key when given, is at most 1 MiB.
 */
export function validateRecord(record: unknown, dataset: DatasetDefinition, now: Date | number = Date.now(), options: ValidateOptions = {}): string[] {
  return checkRecord(record, dataset, now, options).reasons;
}
