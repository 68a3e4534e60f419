/**
 * constructs/privacy/request.ts and subject-hash.ts: every bad input refused with a message that names
 * the field and never the subject id; deadlines; keyed hashes and request ids.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_DAYS, ErasureRequestError, deadlineFor, validateDeadlineDays, validateErasureRequest } from '../../constructs/privacy/request';
import { REQUEST_ID, checkSalt, requestIdFor, subjectHash } from '../../constructs/privacy/subject-hash';

const SALT = { value: 'a'.repeat(64), version: 'v1' };
const SECRET_ID = 'person-7f3a@example.com';

function refusal(input: unknown): ErasureRequestError {
  try {
    validateErasureRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ErasureRequestError);
    return error as ErasureRequestError;
  }
  throw new Error('expected a refusal');
}

describe('erasure request validation', () => {
  it('accepts subjects, sorts them, defaults the regulation to gdpr and keeps the reference', () => {
    expect(validateErasureRequest({ subjects: ['u2', 'u1'] })).toEqual({ subjects: ['u1', 'u2'], regulation: 'gdpr' });
    expect(validateErasureRequest({ subjects: ['u1'], regulation: 'ccpa', reference: 'TICKET-42' })).toEqual({ subjects: ['u1'], regulation: 'ccpa', reference: 'TICKET-42' });
    expect(validateErasureRequest({ subjects: ['x'.repeat(256)] }).subjects[0]).toHaveLength(256);
    expect(validateErasureRequest({ subjects: Array.from({ length: 100 }, (_, i) => `u${i}`) }).subjects).toHaveLength(100);
  });

  it.each([
    ['not an object', 'x', /\(root\): got a string/],
    ['an array', [], /\(root\): got an array of 0/],
    ['no subjects', {}, /subjects: got \(missing\); a list of 1-100/],
    ['subjects not a list', { subjects: 'u1' }, /subjects: got a string of 2 character\(s\)/],
    ['an empty list', { subjects: [] }, /subjects: got a list of 0; a list of 1-100/],
    ['101 subjects', { subjects: Array.from({ length: 101 }, (_, i) => `u${i}`) }, /subjects: got a list of 101/],
    ['a number', { subjects: ['u1', 7] }, /subjects\[1\]: got a number \(subject #2\); a data-subject id must be a string/],
    ['an empty id', { subjects: [''] }, /subjects\[0\]: got an empty string \(subject #1\); a data-subject id must not be empty/],
    ['257 characters', { subjects: ['x'.repeat(257)] }, /got a string of 257 character\(s\) \(subject #1\); a data-subject id must be at most 256/],
    ['a control character', { subjects: ['u1\n'] }, /subject #1\); a data-subject id must not contain control characters/],
    ['a leading space', { subjects: [' u1'] }, /subject #1\); a data-subject id must not start or end with white space/],
    ['a repeated id', { subjects: ['u1', 'u2', 'u1'] }, /subjects\[2\]: got the same id as subject #1 \(subject #3\); each subject once per request/],
    ['an unknown regulation', { subjects: ['u1'], regulation: 'hipaa' }, /regulation: got "hipaa"; one of gdpr, ccpa/],
    ['a regulation in capitals', { subjects: ['u1'], regulation: 'GDPR' }, /regulation: got "GDPR"/],
    ['an empty reference', { subjects: ['u1'], reference: '' }, /reference: got an empty string/],
    ['a long reference', { subjects: ['u1'], reference: 'r'.repeat(129) }, /reference: got a string of 129 character\(s\); at most 128/],
    ['a reference with a new line', { subjects: ['u1'], reference: 'a\nb' }, /reference: got a string of 3 character\(s\) with a control or format character/],
    ['a misspelt field', { subjects: ['u1'], regulations: 'gdpr' }, /\(field #2\): got \(an unknown field; name not shown\); only subjects, regulation and reference/],
  ])('refuses %s', (_name, input, message) => {
    const error = refusal(input);
    expect(error.message).toMatch(/^Invalid erasure request \(nothing was queued\):\n/);
    expect(error.message).toMatch(message);
  });

  it('reports every problem at once and never echoes a subject id', () => {
    const error = refusal({ subjects: [SECRET_ID, `${SECRET_ID}\t`, SECRET_ID, ` ${SECRET_ID}`], regulation: 'x' });
    expect(error.problems.map((p) => p.field)).toEqual(['subjects[1]', 'subjects[2]', 'subjects[3]', 'regulation']);
    expect(error.message).not.toContain('person-7f3a');
    expect(JSON.stringify(error.problems)).not.toContain('person-7f3a');
  });

  it('names the source it was given (a batch item)', () => {
    expect(() => validateErasureRequest({ subjects: [] }, 'requests[3]')).toThrow(/^Invalid requests\[3\] \(nothing was queued\)/);
  });
});

describe('deadlines', () => {
  it('gdpr 30 days and ccpa 45 days after receipt by default, configurable', () => {
    const received = new Date('2026-12-04T18:00:00.000Z');
    expect(deadlineFor('gdpr', received).toISOString()).toBe('2027-01-03T18:00:00.000Z');
    expect(deadlineFor('ccpa', received).toISOString()).toBe('2027-01-18T18:00:00.000Z');
    expect(deadlineFor('gdpr', received, { gdprDays: 7, ccpaDays: 45 }).toISOString()).toBe('2026-12-11T18:00:00.000Z');
    expect(() => deadlineFor('gdpr', new Date('nope'))).toThrow(/not a valid date/);
  });

  it.each([
    [{ gdprDays: 0, ccpaDays: 45 }, /gdprDays: got 0; a whole number of days, 1-90/],
    [{ gdprDays: 30, ccpaDays: 91 }, /ccpaDays: got 91/],
    [{ gdprDays: 30.5, ccpaDays: 45 }, /gdprDays: got 30.5/],
    [{ gdprDays: '30', ccpaDays: 45 }, /gdprDays: got "30"/],
    [undefined, /gdprDays: got \(missing\)[\s\S]*ccpaDays: got \(missing\)/],
  ])('refuses deadline settings %j', (input, message) => {
    expect(() => validateDeadlineDays(input)).toThrow(message);
  });

  it('accepts the defaults', () => {
    expect(validateDeadlineDays({ ...DEFAULT_DEADLINE_DAYS })).toEqual({ gdprDays: 30, ccpaDays: 45 });
  });
});

describe('subject hashes and request ids', () => {
  it('hash = HMAC-SHA256(salt as UTF-8 bytes, id) in hex (vector computed with openssl dgst -hmac)', () => {
    const salt = { value: 'k'.repeat(40), version: 'v1' };
    expect(subjectHash(salt, 'u1')).toBe('fe31f56e5f3a19278227f1ac30b777da3687994b63427be98c5546874d3109c9');
    expect(subjectHash({ ...salt, value: `${salt.value}x` }, 'u1')).not.toBe(subjectHash(salt, 'u1'));
  });

  it('the request id ignores order and repetitions, and depends on the regulation and the salt', () => {
    const id = requestIdFor(SALT, 'gdpr', ['b', 'a']);
    expect(id).toMatch(REQUEST_ID);
    expect(requestIdFor(SALT, 'gdpr', ['a', 'b', 'a'])).toBe(id);
    expect(requestIdFor(SALT, 'ccpa', ['a', 'b'])).not.toBe(id);
    expect(requestIdFor({ value: 'b'.repeat(64), version: 'v2' }, 'gdpr', ['a', 'b'])).not.toBe(id);
    // "a\nb" as one id is not the two ids a and b: ids may not contain new lines (validation), so no collision.
    expect(() => validateErasureRequest({ subjects: ['a\nb'] })).toThrow(ErasureRequestError);
  });

  it('refuses a short salt without echoing it', () => {
    expect(() => checkSalt({ value: 'short-secret', version: 'v9' })).toThrow(/at least 32 characters; got 12/);
    expect(() => checkSalt({ value: 'short-secret', version: 'v9' })).not.toThrow(/short-secret/);
    expect(() => checkSalt({ value: 'x'.repeat(32), version: '' })).toThrow(/no secret version/);
  });
});
