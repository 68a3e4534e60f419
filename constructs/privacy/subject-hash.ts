/**
 * Keyed hashes of data-subject ids: what the request table keeps after a request closes and what the
 * ledger stores, so that an auditor holding an id (and the salt) can confirm it was erased, while the
 * ledger alone reveals nothing (a plain hash of a user id is reversible by enumeration; a keyed one is
 * not without the salt).
 *
 * - hash = HMAC-SHA256(salt, subjectId), lower-case hex; the salt is the secret's string value, used as
 *   its UTF-8 bytes (the stack generates 64 hex characters: 32 random bytes).
 * - request id = the first 32 hex characters of HMAC-SHA256(salt, regulation + "\n" + the sorted unique
 *   subject ids joined by "\n"): the same subjects under the same regulation are the same request,
 *   whatever their order, so a request sent twice is queued once.
 *
 * Pure: node:crypto only.
 */
import { createHmac } from 'node:crypto';
import type { Regulation } from './request';

/** The salt and the secret version it came from (stored beside every hash as `saltVersion`). */
export interface Salt {
  readonly value: string;
  readonly version: string;
}

/** Shortest salt accepted: 32 characters (the generated one has 64). */
export const MIN_SALT_LENGTH = 32;

/** Refuses a salt too short to resist guessing (a misconfigured secret), without echoing it. */
export function checkSalt(salt: Salt): Salt {
  if (typeof salt.value !== 'string' || salt.value.length < MIN_SALT_LENGTH) {
    throw new Error(`the subject-hash salt (secret version ${salt.version}) must be at least ${MIN_SALT_LENGTH} characters; got ${typeof salt.value === 'string' ? salt.value.length : typeof salt.value}`);
  }
  if (typeof salt.version !== 'string' || salt.version === '') throw new Error('the subject-hash salt has no secret version id');
  return salt;
}

/** HMAC-SHA256(salt, subjectId), hex. */
export function subjectHash(salt: Salt, subjectId: string): string {
  return createHmac('sha256', Buffer.from(checkSalt(salt).value, 'utf8')).update(subjectId, 'utf8').digest('hex');
}

/** The request id: 32 hex characters, independent of the subjects' order and repetitions. */
export function requestIdFor(salt: Salt, regulation: Regulation, subjects: readonly string[]): string {
  const unique = [...new Set(subjects)].sort();
  return createHmac('sha256', Buffer.from(checkSalt(salt).value, 'utf8'))
    .update(`${regulation}\n${unique.join('\n')}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/** A request id as requestIdFor makes it (validated wherever one arrives from outside). */
export const REQUEST_ID = /^[0-9a-f]{32}$/;

