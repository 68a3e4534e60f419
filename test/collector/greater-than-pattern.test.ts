import { describe, expect, it } from 'vitest';
import { greaterThanPattern } from '../../constructs/collector/greater-than-pattern';

describe('greaterThanPattern (the WAF rule on Content-Length)', () => {
  it('matches exactly the numbers above the limit, for every limit up to 1,200 and every value up to 12,000', () => {
    for (let limit = 0; limit <= 1200; limit++) {
      const pattern = new RegExp(greaterThanPattern(limit));
      for (let value = 0; value <= 12_000; value += limit < 100 ? 1 : 7) {
        if (pattern.test(String(value)) !== value > limit) throw new Error(`limit ${limit}, value ${value}: matched ${pattern.test(String(value))}`);
      }
    }
  });

  it('around the default request limit, with leading zeros, and never on text that is not a number', () => {
    const pattern = new RegExp(greaterThanPattern(512_000));
    for (const value of [511_999, 512_000]) expect(pattern.test(String(value)), String(value)).toBe(false);
    for (const value of [512_001, 513_000, 600_000, 999_999, 1_000_000, 10_485_760]) expect(pattern.test(String(value)), String(value)).toBe(true);
    expect(pattern.test('000512001')).toBe(true);
    expect(pattern.test('000512000')).toBe(false);
    for (const text of ['', 'abc', '512001 ', '-600000', '6e5']) expect(pattern.test(text), text).toBe(false);
  });

  it('refuses a limit that is not a non-negative integer', () => {
    expect(() => greaterThanPattern(-1)).toThrow(/not a non-negative integer/);
    expect(() => greaterThanPattern(1.5)).toThrow(/not a non-negative integer/);
  });
});
