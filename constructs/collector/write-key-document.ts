/**
 * What a source's Secrets Manager secret holds: hashes of its write keys, never the keys. Rotation is two
 * keys valid at once (the new one's `notBefore`, the old one's `notAfter`); revocation is `revoked: true`.
 *
 *     {"keys":[{"id":"2026-12-web","sha256":"<64 hex>","notBefore":"2026-12-01T00:00:00Z"}]}
 *
 * `npm run collector:key -- --source <name>` makes a key and prints the entry to add.
 */
import { createHash, randomBytes } from 'node:crypto';
import { array, object, optional, string, type Shape, type ShapeIssue } from '../common/shape';
import { formatPath, renderValue, ValidationReport, valueAt } from '../common/validation-report';

export interface WriteKeyEntry {
  /** Names the key in logs and rotations (never the key itself). */
  readonly id: string;
  /** Lowercase hex SHA-256 of the key's UTF-8 bytes. */
  readonly sha256: string;
  /** ISO-8601 instant from which the key is accepted. @default accepted at once */
  readonly notBefore?: string;
  /** ISO-8601 instant after which the key is refused. @default no end */
  readonly notAfter?: string;
  /** A revoked key is refused whatever its dates say. @default false */
  readonly revoked?: boolean;
}

export interface WriteKeyDocument {
  readonly keys: readonly WriteKeyEntry[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const instant: Shape = (value, path, issues) => {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    issues.push({ path, allowed: 'must be an ISO-8601 instant with a zone, for example "2026-12-01T00:00:00Z"' });
  }
};
const revoked: Shape = (value, path, issues) => {
  if (typeof value !== 'boolean') issues.push({ path, allowed: 'must be true or false' });
};

const DOCUMENT_SHAPE: Shape = object({
  keys: array(
    object({
      id: string({ pattern: KEY_ID }),
      sha256: string({ pattern: SHA256_HEX }),
      notBefore: optional(instant),
      notAfter: optional(instant),
      revoked: optional(revoked),
    }),
  ),
});

/** Checks a secret's parsed JSON; throws the validation report (sourced to `source`, the secret) otherwise. */
export function parseWriteKeyDocument(input: unknown, source = 'write-key secret'): WriteKeyDocument {
  const issues: ShapeIssue[] = [];
  DOCUMENT_SHAPE(input, [], issues);
  if (issues.length === 0) {
    const ids = (input as WriteKeyDocument).keys.map((k) => k.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) issues.push({ path: ['keys', index, 'id'], allowed: `must be unique: key id "${id}" appears twice` });
    });
  }
  if (issues.length > 0) {
    throw new ValidationReport(issues.map((issue) => ({ source, field: formatPath(issue.path), value: renderValue(valueAt(input, issue.path)), allowed: issue.allowed })));
  }
  return input as WriteKeyDocument;
}

/** The hash stored for a key: lowercase hex SHA-256 of its UTF-8 bytes. */
export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random write key: 32 bytes (256 bits) as base64url, 43 characters, safe in a Basic user name. */
export function generateWriteKey(): string {
  return randomBytes(32).toString('base64url');
}
