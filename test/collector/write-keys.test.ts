/**
 * The write-key cache's rules (the real Secrets Manager path is in collector-bad-input.test.ts): reads
 * are shared and cached, unknown keys cost no read, an unreadable secret keeps the last good document.
 */
import { describe, expect, it } from 'vitest';
import { basicUserName, WriteKeyStore } from '../../constructs/collector/runtime/write-keys';
import { hashWriteKey } from '../../constructs/collector/write-key-document';

const SOURCE = { name: 'web', writeKeySecretArn: 'web-secret', datasets: ['events'] };
const DOCUMENT = JSON.stringify({ keys: [{ id: 'k1', sha256: hashWriteKey('good-key') }] });

function store(read: () => Promise<string>, cacheSeconds = 60) {
  let reads = 0;
  const lines: Array<Record<string, unknown>> = [];
  const keys = new WriteKeyStore(
    [SOURCE],
    async () => {
      reads += 1;
      return read();
    },
    cacheSeconds,
    (line) => lines.push(line),
  );
  return { keys, reads: () => reads, lines };
}

describe('write keys', () => {
  it('reads the user name of HTTP Basic, whatever the password, and nothing else', () => {
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
    expect(basicUserName(basic('good-key:'))).toBe('good-key');
    expect(basicUserName(basic('good-key:ignored'))).toBe('good-key');
    expect(basicUserName(basic('good-key'))).toBe('good-key');
    expect(basicUserName(basic(':password'))).toBeUndefined();
    expect(basicUserName('Bearer abc')).toBeUndefined();
    expect(basicUserName(undefined)).toBeUndefined();
  });

  it('shares one read between concurrent requests and caches it; unknown keys cause no read', async () => {
    const { keys, reads } = store(async () => DOCUMENT);
    const results = await Promise.all([keys.authenticate('good-key', 0), keys.authenticate('good-key', 0), keys.authenticate('bad-key', 0)]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(reads()).toBe(1);
    for (let i = 0; i < 5; i += 1) await keys.authenticate(`unknown-${i}`, 1_000);
    expect(reads()).toBe(1);
    await keys.authenticate('good-key', 60_000);
    expect(reads()).toBe(2);
  });

  it('keeps the last good document while the secret cannot be read, and says so in the log', async () => {
    let failing = false;
    const { keys, lines } = store(async () => {
      if (failing) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return DOCUMENT;
    });
    expect((await keys.authenticate('good-key', 0)).ok).toBe(true);
    failing = true;
    expect(await keys.authenticate('good-key', 120_000)).toMatchObject({ ok: true, keyId: 'k1' });
    expect(lines).toEqual([{ level: 'error', message: 'write-key document unusable', source: 'web', problem: 'ThrottlingException: Rate exceeded' }]);
  });

  it('with no document yet, answers 503 (retry) rather than calling the key unknown', async () => {
    const { keys } = store(async () => 'not json');
    expect(await keys.authenticate('good-key', 0)).toEqual({ ok: false, status: 503, message: 'the write keys cannot be checked right now; retry later' });
  });
});
