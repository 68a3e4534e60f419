import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunCacheError, runCacheFolder, runCached, runCachedAsync, runFolder } from '../support/run-cache';

// The run cache shares work across test files; these keys are unique, so no other file sees them.
const key = () => `run-cache-test-${randomUUID()}`;

describe('run cache (work shared by the test files of one run)', () => {
  it('produces an entry once: later callers get the same folder without producing again', () => {
    const name = key();
    let produced = 0;
    const produce = (folder: string) => {
      produced += 1;
      mkdirSync(folder);
      writeFileSync(join(folder, 'value'), 'made once');
    };
    const first = runCached(name, produce);
    const second = runCached(name, produce);
    expect(second).toBe(first);
    expect(produced).toBe(1);
    expect(readFileSync(join(first, 'value'), 'utf8')).toBe('made once');
    expect(first.startsWith(runCacheFolder(runFolder()!))).toBe(true);
  });

  it('replays a failure to every later caller, with the error name and message and the folder it left', () => {
    const name = key();
    const failure = Object.assign(new Error('Validation failed: 2 findings'), { name: 'ValidationFailed' });
    let produced = 0;
    const produce = (folder: string) => {
      produced += 1;
      mkdirSync(folder);
      writeFileSync(join(folder, 'validation-report.json'), '{}');
      throw failure;
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      let thrown: unknown;
      try {
        runCached(name, produce);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(RunCacheError);
      expect(thrown).toMatchObject({ name: 'ValidationFailed', message: 'Validation failed: 2 findings' });
      expect(existsSync(join((thrown as RunCacheError).directory, 'validation-report.json'))).toBe(true);
    }
    expect(produced).toBe(1);
  });

  it('takes over the lock of a process that died while producing, and discards what it left', async () => {
    const name = key();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const lock = join(runCacheFolder(runFolder()!), `${name}.lock`);
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), String(dead));
    mkdirSync(join(runCacheFolder(runFolder()!), name));
    writeFileSync(join(runCacheFolder(runFolder()!), name, 'half-written'), '');
    const folder = await runCachedAsync(name, async (target) => {
      mkdirSync(target);
      writeFileSync(join(target, 'value'), 'complete');
    });
    expect(readFileSync(join(folder, 'value'), 'utf8')).toBe('complete');
    expect(existsSync(join(folder, 'half-written'))).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });
});
