import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/collector-local';

describe('npm run collector:local', () => {
  it.each([
    [['--ip', 'hash'], 'collector:local: --ip must be one of truncate, drop, keep, got hash'],
    [['--port', 'http'], 'collector:local: --port and --moto-port must be port numbers, got http and 5055'],
    [['--moto-port', '70000'], 'collector:local: --port and --moto-port must be port numbers, got 8787 and 70000'],
  ])('refuses %j before starting anything', async (argv, message) => {
    const lines: string[] = [];
    expect(await main(argv, (line) => lines.push(line))).toBe(1);
    expect(lines).toEqual([message]);
  });
});
