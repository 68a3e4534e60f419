/**
 * Who is sending: the write key from HTTP Basic (the user name, Segment's convention) or, for
 * `sendBeacon`, which cannot set headers, the body's `writeKey`; checked against every source's hashed
 * keys. Key documents are fetched from Secrets Manager and cached for `keyCacheSeconds`, so revoking a
 * key takes effect within that time; an unknown key never triggers a fetch (a flood of bad keys cannot
 * turn into a flood of Secrets Manager calls).
 */
import { timingSafeEqual } from 'node:crypto';
import { ValidationReport } from '../../common/validation-report';
import type { CollectorSource } from '../settings';
import { hashWriteKey, parseWriteKeyDocument, type WriteKeyDocument, type WriteKeyEntry } from '../write-key-document';

/** Reads a secret's string value: Secrets Manager's GetSecretValue in the handler, a map in tests. */
export type SecretReader = (secretId: string) => Promise<string>;

export type AuthResult =
  | { readonly ok: true; readonly source: CollectorSource; readonly keyId: string }
  | { readonly ok: false; readonly status: 401 | 503; readonly message: string };

/** The write key of a `Authorization: Basic base64(key:)` header; undefined when absent or not Basic. */
export function basicUserName(authorization: string | undefined): string | undefined {
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  return user.length > 0 ? user : undefined;
}

interface CachedDocument {
  readonly document?: WriteKeyDocument;
  /** Why the document could not be used (unreadable secret, invalid JSON or shape). */
  readonly problem?: string;
  readonly fetchedAt: number;
}

/** Whether an entry accepts a key at `now`, or why not. */
function entryProblem(entry: WriteKeyEntry, now: number): string | undefined {
  if (entry.revoked === true) return `write key "${entry.id}" has been revoked`;
  if (entry.notBefore !== undefined && now < Date.parse(entry.notBefore)) return `write key "${entry.id}" is not valid before ${entry.notBefore}`;
  if (entry.notAfter !== undefined && now > Date.parse(entry.notAfter)) return `write key "${entry.id}" expired at ${entry.notAfter}`;
  return undefined;
}

export class WriteKeyStore {
  private readonly cache = new Map<string, CachedDocument>();
  private readonly inFlight = new Map<string, Promise<CachedDocument>>();

  constructor(
    private readonly sources: readonly CollectorSource[],
    private readonly readSecret: SecretReader,
    private readonly cacheSeconds: number,
    private readonly log: (line: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** Finds the source whose key document holds `key`, comparing hashes in constant time. */
  async authenticate(key: string | undefined, now: number): Promise<AuthResult> {
    if (key === undefined) return { ok: false, status: 401, message: 'missing write key: send it as the HTTP Basic user name (or as writeKey in the body)' };
    const hash = Buffer.from(hashWriteKey(key), 'hex');
    const documents = await Promise.all(this.sources.map((source) => this.document(source, now)));
    let unavailable = false;
    for (let index = 0; index < this.sources.length; index += 1) {
      const cached = documents[index];
      if (cached.document === undefined) {
        unavailable = true;
        continue;
      }
      for (const entry of cached.document.keys) {
        if (!timingSafeEqual(hash, Buffer.from(entry.sha256, 'hex'))) continue;
        const problem = entryProblem(entry, now);
        if (problem !== undefined) return { ok: false, status: 401, message: problem };
        return { ok: true, source: this.sources[index], keyId: entry.id };
      }
    }
    // A key we could not check against every source may be valid: say so (retryable), not "unknown".
    if (unavailable) return { ok: false, status: 503, message: 'the write keys cannot be checked right now; retry later' };
    return { ok: false, status: 401, message: 'unknown write key' };
  }

  private async document(source: CollectorSource, now: number): Promise<CachedDocument> {
    const cached = this.cache.get(source.name);
    // A failed read is retried on the next request rather than cached for the full period.
    if (cached?.document !== undefined && now - cached.fetchedAt < this.cacheSeconds * 1000) return cached;
    let pending = this.inFlight.get(source.name);
    if (pending === undefined) {
      pending = this.fetch(source, now).finally(() => this.inFlight.delete(source.name));
      this.inFlight.set(source.name, pending);
    }
    return pending;
  }

  private async fetch(source: CollectorSource, now: number): Promise<CachedDocument> {
    let result: CachedDocument;
    try {
      const text = await this.readSecret(source.writeKeySecretArn);
      result = { document: parseWriteKeyDocument(JSON.parse(text), `write-key secret of source "${source.name}"`), fetchedAt: now };
    } catch (error) {
      const problem = error instanceof ValidationReport ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
      this.log({ level: 'error', message: 'write-key document unusable', source: source.name, problem });
      // Keep serving the last good document while the secret is unreadable: an outage of Secrets
      // Manager must not lock every sender out, and a revocation is still picked up once it reads again.
      const previous = this.cache.get(source.name);
      if (previous?.document !== undefined) return previous;
      result = { problem, fetchedAt: now };
    }
    this.cache.set(source.name, result);
    return result;
  }
}
