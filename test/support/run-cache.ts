/**
 * Work done once per test run and shared by every worker through the run folder
 * (test/support/global-setup.ts creates it and removes it when the run ends). Vitest runs each test file
 * in a fresh process, so an in-memory memo lasts one file; this one lasts the run.
 *
 * The first process that needs an entry produces it under a lock (an exclusive mkdir); the others wait
 * for it. A failure is recorded too, so every caller fails the same way (a RunCacheError) instead of
 * waiting for ever or repeating the work. Outside vitest (scripts, benchmarks) there is no run folder and
 * callers do the work themselves.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The run folder, or undefined outside a vitest run. */
export function runFolder(): string | undefined {
  return process.env.LAKEHOUSE_SYNTH_ROOT;
}

/** Where the entries live; global-setup.ts empties it before a watch-mode rerun (the code may have changed). */
export function runCacheFolder(run: string): string {
  return join(run, 'run-cache');
}

/** How long a process waits for another one's entry before giving up (a synth with bundling takes seconds). */
const WAIT_MS = 240_000;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Synchronous: callers run while vitest collects a file (describe callbacks), where nothing can be awaited. */
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function holderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // the lock was just taken and its pid is not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A failed `produce`, as every caller sees it: the producer's error name and message, and its folder. */
export class RunCacheError extends Error {
  constructor(name: string, message: string, readonly directory: string, options?: ErrorOptions) {
    super(message, options);
    this.name = name;
  }
}

interface Entry {
  readonly folder: string;
  readonly done: string;
  readonly failed: string;
  readonly lock: string;
}

function entry(key: string): Entry {
  const run = runFolder();
  if (!run) throw new Error('runCached needs the test run folder (LAKEHOUSE_SYNTH_ROOT, set by test/support/global-setup.ts)');
  const root = runCacheFolder(run);
  mkdirSync(root, { recursive: true });
  const folder = join(root, key);
  return { folder, done: `${folder}.done`, failed: `${folder}.failed.json`, lock: `${folder}.lock` };
}

/** One look at an entry: ready, failed (throws), ours to produce (lock taken), or someone else's turn. */
function attempt(e: Entry, deadline: number): 'ready' | 'produce' | 'wait' {
  if (existsSync(e.done)) return 'ready';
  if (existsSync(e.failed)) {
    const { name, message } = JSON.parse(readFileSync(e.failed, 'utf8')) as { name: string; message: string };
    throw new RunCacheError(name, message, e.folder);
  }
  try {
    mkdirSync(e.lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!holderAlive(e.lock)) {
      rmSync(e.lock, { recursive: true, force: true });
      return 'wait';
    }
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for another test process to produce ${e.folder}`);
    return 'wait';
  }
  writeFileSync(join(e.lock, 'pid'), String(process.pid));
  rmSync(e.folder, { recursive: true, force: true }); // what a dead producer left
  return 'produce';
}

function recordFailure(e: Entry, error: unknown): RunCacheError {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  writeAtomically(e.failed, JSON.stringify({ name, message }));
  return new RunCacheError(name, message, e.folder, { cause: error });
}

/**
 * The folder `<run folder>/run-cache/<key>` after `produce(folder)` has filled it, in this run. `produce` runs in at
 * most one process at a time and, unless it throws, once per run; a process that dies while producing
 * leaves its lock behind, which the next one takes over. When `produce` throws, every caller gets a
 * RunCacheError with the producer's error name and message and the folder it left.
 */
export function runCached(key: string, produce: (folder: string) => void): string {
  const e = entry(key);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const state = attempt(e, deadline);
    if (state === 'ready') return e.folder;
    if (state === 'wait') {
      sleep(50);
      continue;
    }
    try {
      produce(e.folder);
      writeAtomically(e.done, '');
      return e.folder;
    } catch (error) {
      throw recordFailure(e, error);
    } finally {
      rmSync(e.lock, { recursive: true, force: true });
    }
  }
}

/** `runCached` for asynchronous work (waits without blocking the event loop). */
export async function runCachedAsync(key: string, produce: (folder: string) => Promise<void>): Promise<string> {
  const e = entry(key);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const state = attempt(e, deadline);
    if (state === 'ready') return e.folder;
    if (state === 'wait') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    try {
      await produce(e.folder);
      writeAtomically(e.done, '');
      return e.folder;
    } catch (error) {
      throw recordFailure(e, error);
    } finally {
      rmSync(e.lock, { recursive: true, force: true });
    }
  }
}

/** Readers check for the file's existence, so it must appear complete. */
function writeAtomically(path: string, content: string): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, path);
}
