/**
 * The document the collector's handler runs on (`CollectorSettings`), and its run-time validator.
 *
 * The CDK side (collector.ts) writes it as a JSON file next to the bundled handler, because the contracts
 * of many datasets do not fit Lambda's 4 KB environment; the handler reads the file named by
 * `COLLECTOR_SETTINGS_FILE` once per cold start. It is checked again there: a hand-edited or stale file
 * must stop the function at start with a report naming every bad field, never half-work.
 */
import { readFileSync } from 'node:fs';
import { datasetShapeIssues } from '../datasets/schema';
import type { DatasetDefinition } from '../datasets/model';
import { array, number, object, optional, string, type Shape, type ShapeIssue } from '../common/shape';
import { formatPath, renderValue, ValidationReport, valueAt, type ValidationProblem } from '../common/validation-report';

/** The environment variable holding the settings file's path (absolute, or relative to the handler's folder). */
export const SETTINGS_FILE_ENV = 'COLLECTOR_SETTINGS_FILE';
/** The settings file's name inside the function's asset. */
export const SETTINGS_FILE_NAME = 'collector-settings.json';
/** The only settings version this code reads; bump it on any incompatible change. */
export const SETTINGS_VERSION = 1;

/**
 * Largest values the collector accepts, from Segment's HTTP Tracking API (32 KB per call, 500 KB per
 * batch; SDKs split batches by these) and the batch length the collector promises (2,500 events).
 * Larger limits would accept what a Segment SDK never sends and let one request outgrow a Lambda invoke.
 */
export const COLLECTOR_LIMIT_MAXIMA = { maxEventBytes: 32_768, maxBatchBytes: 512_000, maxBatchEvents: 2_500 } as const;
export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = { ...COLLECTOR_LIMIT_MAXIMA };
/** How long a fetched write-key document is trusted before it is read again (revocation delay). */
export const DEFAULT_KEY_CACHE_SECONDS = 300;
/** Longest accepted key cache: a revoked key stops working within this time. */
export const MAX_KEY_CACHE_SECONDS = 3_600;

export type IpPolicy = 'truncate' | 'drop' | 'keep';
export const IP_POLICIES: readonly IpPolicy[] = ['truncate', 'drop', 'keep'];

/** A sender (an app, a site, a backend) authenticated by its write key. */
export interface CollectorSource {
  /** Lowercase letters, digits and hyphens; the `Source` dimension of the collector's metrics. */
  readonly name: string;
  /**
   * Secrets Manager secret holding this source's hashed keys (see write-key-document.ts): a full ARN, or
   * a secret name (GetSecretValue accepts both).
   */
  readonly writeKeySecretArn: string;
  /** Datasets this source may write; every one is in `CollectorSettings.datasets`. */
  readonly datasets: readonly string[];
}

/** A dataset the collector writes, with its contract (the event schema) and its Kinesis stream. */
export interface CollectorDataset {
  readonly name: string;
  readonly streamName: string;
  readonly definition: DatasetDefinition;
}

export interface CollectorLimits {
  /** Largest single event (one call, or one element of a batch), in bytes. @default 32768 */
  readonly maxEventBytes: number;
  /** Largest request body after decompression, in bytes. @default 512000 */
  readonly maxBatchBytes: number;
  /** Most events in one `/v1/batch` request. @default 2500 */
  readonly maxBatchEvents: number;
}

export interface CollectorPrivacy {
  /** Client IP address: last octet (IPv4) / last 80 bits (IPv6) zeroed, not stored, or stored. @default 'truncate' */
  readonly ip: IpPolicy;
  /** Store the User-Agent header. @default false */
  readonly keepUserAgent: boolean;
}

export interface CollectorSettings {
  readonly version: 1;
  readonly sources: readonly CollectorSource[];
  readonly datasets: readonly CollectorDataset[];
  /** Where rejected events go, with their reasons (a stream-ingested dataset of its own). */
  readonly quarantine: { readonly streamName: string };
  readonly limits: CollectorLimits;
  readonly privacy: CollectorPrivacy;
  /** Seconds a source's key document is cached by a warm function. */
  readonly keyCacheSeconds: number;
  /**
   * Browser origins the answers carry `Access-Control-Allow-Origin` for (`https://shop.example.com`, or
   * `*` for any). With the REST proxy integration only the function can set that header on an answer;
   * API Gateway's CORS settings cover the preflight only. @default none: no browser may read the answers
   */
  readonly allowedOrigins?: readonly string[];
}

/** `*`, or a scheme, host and optional port, as browsers send them in `Origin` (no path, no trailing slash). */
const ORIGIN = /^(\*|https?:\/\/[a-z0-9.-]+(:\d{1,5})?)$/;
const SOURCE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Kinesis: 1-128 of letters, digits, `_.-`. */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** A secret ARN (any partition) or a secret name (letters, digits and `/_+=.@-`, at most 512). */
const SECRET_REFERENCE = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$/;

function literal<T extends string | number | boolean>(allowedValues: readonly T[]): Shape {
  return (value, path, issues) => {
    if (!allowedValues.includes(value as T)) issues.push({ path, allowed: `must be one of ${allowedValues.map((v) => JSON.stringify(v)).join(', ')}` });
  };
}

function integerIn(min: number, max: number): Shape {
  return (value, path, issues) => {
    const before = issues.length;
    number({ integer: true, min })(value, path, issues);
    if (issues.length === before && (value as number) > max) issues.push({ path, allowed: `must be a whole number from ${min} to ${max}` });
  };
}

const definition: Shape = (value, path, issues) => {
  for (const issue of datasetShapeIssues(value)) issues.push({ path: [...path, ...issue.path], allowed: issue.allowed });
};

const SETTINGS_SHAPE: Shape = object({
  version: literal([SETTINGS_VERSION]),
  sources: array(
    object({
      name: string({ pattern: SOURCE_NAME }),
      writeKeySecretArn: string({ pattern: SECRET_REFERENCE }),
      datasets: array(string()),
    }),
  ),
  datasets: array(object({ name: string(), streamName: string({ pattern: STREAM_NAME }), definition })),
  quarantine: object({ streamName: string({ pattern: STREAM_NAME }) }),
  limits: object({
    maxEventBytes: integerIn(1, COLLECTOR_LIMIT_MAXIMA.maxEventBytes),
    maxBatchBytes: integerIn(1, COLLECTOR_LIMIT_MAXIMA.maxBatchBytes),
    maxBatchEvents: integerIn(1, COLLECTOR_LIMIT_MAXIMA.maxBatchEvents),
  }),
  privacy: object({ ip: literal(IP_POLICIES), keepUserAgent: literal([true, false]) }),
  keyCacheSeconds: integerIn(0, MAX_KEY_CACHE_SECONDS),
  allowedOrigins: optional(array(string({ pattern: ORIGIN }))),
});

/** Relations the shape cannot see: unique names, sources naming known datasets, limits that fit together. */
function crossIssues(settings: CollectorSettings): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  const duplicates = (names: readonly string[], at: (index: number) => PropertyKey[], what: string) =>
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) issues.push({ path: at(index), allowed: `must be unique: ${what} "${name}" is declared twice` });
    });
  duplicates(settings.sources.map((s) => s.name), (i) => ['sources', i, 'name'], 'source');
  duplicates(settings.datasets.map((d) => d.name), (i) => ['datasets', i, 'name'], 'dataset');
  const known = settings.datasets.map((d) => d.name);
  settings.datasets.forEach((dataset, index) => {
    if (dataset.definition.name !== dataset.name) issues.push({ path: ['datasets', index, 'definition', 'name'], allowed: `must equal the entry's name "${dataset.name}"` });
  });
  settings.sources.forEach((source, i) => {
    if (source.datasets.length === 0) issues.push({ path: ['sources', i, 'datasets'], allowed: 'must name at least one dataset the source may write' });
    source.datasets.forEach((name, j) => {
      if (!known.includes(name)) issues.push({ path: ['sources', i, 'datasets', j], allowed: `must be one of the collector's datasets (${known.join(', ') || 'none declared'})` });
    });
  });
  if (settings.limits.maxBatchBytes < settings.limits.maxEventBytes) {
    issues.push({ path: ['limits', 'maxBatchBytes'], allowed: `must be at least limits.maxEventBytes (${settings.limits.maxEventBytes}): a batch holds at least one event` });
  }
  return issues;
}

/** Every problem of a settings document, as validation-report problems sourced to `source`. */
export function collectorSettingsProblems(input: unknown, source: string): ValidationProblem[] {
  const issues: ShapeIssue[] = [];
  SETTINGS_SHAPE(input, [], issues);
  if (issues.length === 0) issues.push(...crossIssues(input as CollectorSettings));
  return issues.map((issue) => ({ source, field: formatPath(issue.path), value: renderValue(valueAt(input, issue.path)), allowed: issue.allowed }));
}

/**
 * Checks a settings document (parsed JSON) and returns it typed; throws the one validation report naming
 * every bad field otherwise. `source` names the document in the report (its file path).
 */
export function parseCollectorSettings(input: unknown, source = 'collector settings'): CollectorSettings {
  const problems = collectorSettingsProblems(input, source);
  if (problems.length > 0) throw new ValidationReport(problems);
  return input as CollectorSettings;
}

/**
 * Reads and checks the settings file named by `COLLECTOR_SETTINGS_FILE` (relative paths resolve against
 * `baseDirectory`, the handler's folder in the Lambda asset). Throws a ValidationReport on any problem,
 * including a missing variable, an unreadable file or invalid JSON.
 */
export function loadCollectorSettings(env: Readonly<Record<string, string | undefined>> = process.env, baseDirectory = __dirname): CollectorSettings {
  const file = env[SETTINGS_FILE_ENV];
  const fail = (value: string, allowed: string): never => {
    throw new ValidationReport([{ source: `environment variable ${SETTINGS_FILE_ENV}`, field: '(root)', value, allowed }]);
  };
  if (file === undefined || file.trim() === '') return fail('(missing)', `must name the settings file (${SETTINGS_FILE_NAME} in the function's folder)`);
  const path = file.startsWith('/') ? file : `${baseDirectory}/${file}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail(JSON.stringify(file), `must name a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message} at ${path})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(JSON.stringify(file), `must hold one JSON document (${(error as Error).message})`);
  }
  return parseCollectorSettings(parsed, path);
}

/**
 * The settings file's exact text: object keys sorted, two-space indentation, a final newline. Identical
 * settings give a byte-identical file, whatever order a config wrote its keys in, so the asset hash (and
 * the function) changes only when a setting does.
 */
export function renderCollectorSettings(settings: CollectorSettings): string {
  return `${JSON.stringify(sortKeys(settings), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
