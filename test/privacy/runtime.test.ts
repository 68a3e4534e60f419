/**
 * The small runtime helpers: how errors become one line (`lastError`, logs), input checks, and the
 * ledger writer's refusals for a bucket whose lock configuration is missing or unreadable.
 */
import { describe, expect, it } from 'vitest';
import { LedgerNotLockedError, ledgerWriter } from '../../constructs/privacy/ledger-store';
import { checkRequestIds, describeError, errorText, inputObject, wholeNumber } from '../../constructs/privacy/runtime';
import type { S3Send } from '../../constructs/privacy/work-files';

describe('error text', () => {
  it('renders Step Functions errors, errors, strings and other values as one line', () => {
    expect(errorText({ Error: 'FindFailed', Cause: 'query q-1 FAILED' })).toBe('FindFailed: query q-1 FAILED');
    expect(errorText({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(errorText('plain')).toBe('plain');
    expect(errorText({ other: 1 })).toBe('{"other":1}');
    expect(errorText(undefined)).toBe('unknown error');
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError(42)).toBe('42');
  });

  it('input checks name the field', () => {
    expect(() => inputObject([], 'claim')).toThrow('claim: the input must be a JSON object');
    expect(() => checkRequestIds(['A'.repeat(32)])).toThrow(/requestIds must be a list of request ids/);
    expect(checkRequestIds(['a'.repeat(32)])).toEqual(['a'.repeat(32)]);
    expect(() => wholeNumber(1.5, 'n', 1, 2)).toThrow('n must be a whole number 1-2; got 1.5');
    expect(() => wholeNumber('1', 'n', 1, 2)).toThrow('n must be a whole number 1-2; got string');
  });
});

describe('ledger writer refusals', () => {
  const answering = (answer: () => unknown): S3Send => ({ send: (async () => answer()) as S3Send['send'] });

  it('a lock configuration that is not Enabled is refused', async () => {
    await expect(ledgerWriter(answering(() => ({ ObjectLockConfiguration: {} })), 'ledger', { mode: 'governance', retentionDays: 1 })).rejects.toBeInstanceOf(LedgerNotLockedError);
    await expect(ledgerWriter(answering(() => ({})), 'ledger', { mode: 'governance', retentionDays: 1 })).rejects.toThrow(/ledger bucket ledger has no Object Lock \(ObjectLockEnabled is not Enabled\)/);
  });

  it('any other failure to read it (access denied) is not mistaken for an unlocked bucket', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    await expect(
      ledgerWriter(answering(() => { throw denied; }), 'ledger', { mode: 'governance', retentionDays: 1 }),
    ).rejects.toBe(denied);
  });
});
