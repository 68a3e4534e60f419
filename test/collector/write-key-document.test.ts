import { describe, expect, it } from 'vitest';
import { generateWriteKey, hashWriteKey, parseWriteKeyDocument } from '../../constructs/collector/write-key-document';

const HASH = 'a'.repeat(64);

describe('write-key document', () => {
  it('accepts two overlapping keys and a revoked one', () => {
    const document = {
      keys: [
        { id: 'old', sha256: HASH, notAfter: '2026-12-08T00:00:00Z' },
        { id: 'new', sha256: 'b'.repeat(64), notBefore: '2026-12-01T00:00:00Z' },
        { id: 'leaked', sha256: 'c'.repeat(64), revoked: true },
      ],
    };
    expect(parseWriteKeyDocument(document)).toEqual(document);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['a plain key instead of its hash', { keys: [{ id: 'k', sha256: 'my-secret-key' }] }, /keys\[0\]\.sha256: got "my-secret-key"; must match/],
    ['uppercase hex', { keys: [{ id: 'k', sha256: 'A'.repeat(64) }] }, /keys\[0\]\.sha256/],
    ['a date without a zone', { keys: [{ id: 'k', sha256: HASH, notBefore: '2026-12-01' }] }, /keys\[0\]\.notBefore: got "2026-12-01"; must be an ISO-8601 instant/],
    ['revoked as a string', { keys: [{ id: 'k', sha256: HASH, revoked: 'yes' }] }, /keys\[0\]\.revoked: got "yes"; must be true or false/],
    ['a duplicate key id', { keys: [{ id: 'k', sha256: HASH }, { id: 'k', sha256: HASH }] }, /keys\[1\]\.id: got "k"; must be unique/],
    ['an unknown field', { keys: [{ id: 'k', sha256: HASH, key: 'plain' }] }, /keys\[0\]\.key: got "plain"; is not a field here/],
    ['no keys array', { key: [] }, /keys: got \(missing\); is required/],
  ];
  for (const [title, document, message] of cases) {
    it(`refuses ${title}`, () => {
      expect(() => parseWriteKeyDocument(document, 'secret web')).toThrow(message);
    });
  }

  it('hashes keys as lowercase hex SHA-256 (known answer)', () => {
    expect(hashWriteKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('generates distinct 256-bit keys usable as a Basic user name (no colon)', () => {
    const keys = new Set(Array.from({ length: 50 }, generateWriteKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
