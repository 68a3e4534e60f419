/** scripts/command.ts: how an operator script's main() becomes the process's exit code. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../scripts/command';

describe('runCommand', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
    vi.restoreAllMocks();
  });

  it('passes argv to main and sets the exit code it returns', async () => {
    const main = vi.fn(async (argv: readonly string[]) => (argv.length === 2 ? 2 : 0));
    await runCommand('elt:backfill', main, ['--from', '2026-01-01']);
    expect(main).toHaveBeenCalledWith(['--from', '2026-01-01']);
    expect(process.exitCode).toBe(2);
  });

  it('reads the arguments after the script by default', async () => {
    const main = vi.fn(async () => 0);
    await runCommand('produce:sample', main);
    expect(main).toHaveBeenCalledWith(process.argv.slice(2));
    expect(process.exitCode).toBe(0);
  });

  it('turns an unexpected error into exit code 1 and one line naming the command, no stack trace', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await runCommand('produce:sample', async () => {
      throw new Error('socket hang up');
    });
    expect(process.exitCode).toBe(1);
    expect(error.mock.calls).toEqual([['produce:sample: socket hang up']]);
    await runCommand('elt:backfill', () => Promise.reject('not an Error'));
    expect(error.mock.calls[1]).toEqual(['elt:backfill: not an Error']);
  });
});
