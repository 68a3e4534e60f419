/**
 * An erasure request as it arrives (state machine input, `npm run privacy:erase`), checked at run time:
 * the input is plain JSON, so TypeScript's types guard nothing here.
 *
 * - `subjects`: 1-100 unique data-subject ids, each a non-empty string of at most 256 characters with no
 *   control characters and no leading or trailing white space (the lake compares ids exactly, so
 *   " u1" would silently match nothing);
 * - `regulation`: `gdpr` (default) or `ccpa`;
 * - `reference`: optional, at most 128 printable characters (a ticket number; stored in the ledger).
 *
 * Error messages never echo a subject id (it is personal data and would land in logs and terminal
 * scroll-back): a subject is named by its position, "subject #3", and described by its shape.
 * Pure: no AWS SDK.
 */
import type { ValidationProblem } from '../common/validation-report';
import { renderValue } from '../common/validation-report';

export const REGULATIONS = ['gdpr', 'ccpa'] as const;
export type Regulation = (typeof REGULATIONS)[number];

export const MAX_SUBJECTS_PER_REQUEST = 100;
export const MAX_SUBJECT_ID_LENGTH = 256;
export const MAX_REFERENCE_LENGTH = 128;

/** Days from receipt to the deadline, per regulation (GDPR Art. 12(3): one month; CCPA: 45 days). */
export interface DeadlineDays {
  readonly gdprDays: number;
  readonly ccpaDays: number;
}

export const DEFAULT_DEADLINE_DAYS: DeadlineDays = { gdprDays: 30, ccpaDays: 45 };
/** Bounds the configuration accepts for a deadline (a deadline beyond 90 days is no regulation's). */
export const DEADLINE_DAYS_RANGE = { min: 1, max: 90 } as const;

/** A request that passed validation: subjects sorted and unique. */
export interface ErasureRequest {
  readonly subjects: readonly string[];
  readonly regulation: Regulation;
  readonly reference?: string;
}

/** A refused request: every problem, none of which echoes a subject id. */
export class ErasureRequestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ValidationProblem[],
  ) {
    super(`Invalid ${source} (nothing was queued):\n${problems.map((p) => `  - ${p.field}: got ${p.value}; ${p.allowed}`).join('\n')}`);
    this.name = 'ErasureRequestError';
  }
}

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// Printable: no control, format, surrogate or unassigned code points (\p{C}).
const NOT_PRINTABLE = /\p{C}/u;

/** The shape of a value without its content: what an error may say about a subject id. */
export function describeShape(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${[...value].length} character(s)`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/** Why a subject id is refused, or undefined when it is acceptable. */
export function subjectIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if ([...value].length > MAX_SUBJECT_ID_LENGTH) return `must be at most ${MAX_SUBJECT_ID_LENGTH} characters`;
  if (CONTROL.test(value)) return 'must not contain control characters (tabs, new lines, …)';
  if (value.trim() !== value) return 'must not start or end with white space (ids are compared exactly)';
  return undefined;
}

/**
 * Validates one request; throws ErasureRequestError naming every problem. `source` names the input in
 * messages (`erasure request`, `requests[2]`).
 */
export function validateErasureRequest(input: unknown, source = 'erasure request'): ErasureRequest {
  const problems: ValidationProblem[] = [];
  const problem = (field: string, value: string, allowed: string) => problems.push({ source, field, value, allowed });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problem('(root)', describeShape(input), 'an object { subjects: [...], regulation?: "gdpr" | "ccpa", reference?: "..." }');
    throw new ErasureRequestError(source, problems);
  }
  const raw = input as Record<string, unknown>;
  // An unknown field is named by its position, not its name: a misplaced subject id can arrive as a key.
  Object.keys(raw).forEach((key, index) => {
    if (!['subjects', 'regulation', 'reference'].includes(key)) problem(`(field #${index + 1})`, '(an unknown field; name not shown)', 'only subjects, regulation and reference');
  });

  const subjects = raw.subjects;
  const accepted: string[] = [];
  if (!Array.isArray(subjects)) {
    problem('subjects', describeShape(subjects), `a list of 1-${MAX_SUBJECTS_PER_REQUEST} data-subject ids`);
  } else if (subjects.length === 0 || subjects.length > MAX_SUBJECTS_PER_REQUEST) {
    problem('subjects', `a list of ${subjects.length}`, `a list of 1-${MAX_SUBJECTS_PER_REQUEST} data-subject ids (split larger erasures into several requests)`);
  } else {
    const firstSeen = new Map<string, number>();
    subjects.forEach((subject, index) => {
      const name = `subject #${index + 1}`;
      const why = subjectIdProblem(subject);
      if (why) {
        problem(`subjects[${index}]`, `${describeShape(subject)} (${name})`, `a data-subject id ${why}`);
        return;
      }
      const id = subject as string;
      const earlier = firstSeen.get(id);
      if (earlier !== undefined) {
        problem(`subjects[${index}]`, `the same id as subject #${earlier + 1} (${name})`, 'each subject once per request');
        return;
      }
      firstSeen.set(id, index);
      accepted.push(id);
    });
  }

  const regulation = raw.regulation ?? 'gdpr';
  if (typeof regulation !== 'string' || !(REGULATIONS as readonly string[]).includes(regulation)) {
    problem('regulation', renderValue(regulation), `one of ${REGULATIONS.join(', ')} (default gdpr)`);
  }

  const reference = raw.reference;
  if (reference !== undefined) {
    if (typeof reference !== 'string' || reference === '') problem('reference', describeShape(reference), `a non-empty string of at most ${MAX_REFERENCE_LENGTH} printable characters`);
    else if ([...reference].length > MAX_REFERENCE_LENGTH) problem('reference', describeShape(reference), `at most ${MAX_REFERENCE_LENGTH} printable characters`);
    else if (NOT_PRINTABLE.test(reference)) problem('reference', `${describeShape(reference)} with a control or format character`, 'printable characters only');
  }

  if (problems.length > 0) throw new ErasureRequestError(source, problems);
  return {
    subjects: [...accepted].sort(),
    regulation: regulation as Regulation,
    ...(reference !== undefined ? { reference: reference as string } : {}),
  };
}

/** Validates deadline settings (configuration or environment): whole days within DEADLINE_DAYS_RANGE. */
export function validateDeadlineDays(input: unknown, source = 'deadline settings'): DeadlineDays {
  const problems: ValidationProblem[] = [];
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  for (const field of ['gdprDays', 'ccpaDays'] as const) {
    const value = raw[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < DEADLINE_DAYS_RANGE.min || value > DEADLINE_DAYS_RANGE.max) {
      problems.push({ source, field, value: renderValue(value), allowed: `a whole number of days, ${DEADLINE_DAYS_RANGE.min}-${DEADLINE_DAYS_RANGE.max}` });
    }
  }
  if (problems.length > 0) throw new ErasureRequestError(source, problems);
  return { gdprDays: raw.gdprDays as number, ccpaDays: raw.ccpaDays as number };
}

/** The deadline of a request received at `receivedAt`: that instant plus the regulation's days (UTC). */
export function deadlineFor(regulation: Regulation, receivedAt: Date, days: DeadlineDays = DEFAULT_DEADLINE_DAYS): Date {
  if (Number.isNaN(receivedAt.getTime())) throw new Error('deadlineFor: receivedAt is not a valid date');
  const count = regulation === 'gdpr' ? days.gdprDays : days.ccpaDays;
  return new Date(receivedAt.getTime() + count * 86_400_000);
}
