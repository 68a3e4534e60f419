import { describe, expect, it, vi } from 'vitest';
import { hashWriteKey, parseWriteKeyDocument } from '../../constructs/collector/write-key-document';
import { keyEntry, main, parseKeyRequest } from '../../scripts/collector-key';

describe('npm run collector:key', () => {
  it('prints a key once and an entry holding only its hash, valid as a secret document', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(text));
    expect(await main(['--source', 'web', '--env', 'prod'])).toBe(0);
    const output = lines.join('\n');
    const key = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(output)![1];
    const entry = JSON.parse(/^ {2}(\{.*\})$/m.exec(output)![1]);
    expect(entry.sha256).toBe(hashWriteKey(key));
    expect(JSON.stringify(entry)).not.toContain(key);
    expect(output).toContain('lakehouse/prod/collector/web');
    expect(parseWriteKeyDocument({ keys: [entry] }).keys[0].id).toMatch(/^web-\d{8}-\d{6}$/);
  });

  it('names the entry after the source and the time, with notBefore when asked', () => {
    const entry = keyEntry({ source: 'mobile', environment: 'dev', notBefore: '2026-12-10T00:00:00Z' }, 'k', new Date('2026-12-04T16:20:05Z'));
    expect(entry).toEqual({ id: 'mobile-20261204-162005', sha256: hashWriteKey('k'), notBefore: '2026-12-10T00:00:00Z' });
  });

  const refusals: Array<[string, string[], RegExp]> = [
    ['no source', [], /--source is required: one of web, mobile/],
    ['a source the environment does not have', ['--source', 'ios'], /--source "ios" is not a collector source of dev \(sources: web, mobile\)/],
    ['an unknown environment', ['--source', 'web', '--env', 'qa'], /--env "qa" is not an environment \(dev, staging, prod\)/],
    ['a date without a zone', ['--source', 'web', '--not-before', '2026-12-10'], /--not-before "2026-12-10" must be an ISO-8601 instant with a zone/],
    ['an unknown option', ['--source', 'web', '--key', 'x'], /Unknown option '--key'.*usage: npm run collector:key/],
  ];
  for (const [title, argv, message] of refusals) {
    it(`refuses ${title} with the fix`, () => {
      expect(() => parseKeyRequest(argv)).toThrow(message);
    });
  }
});
