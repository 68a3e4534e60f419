/**
 * Everything the code under test writes to the console or to stdout/stderr while a capture is open, so a
 * test can assert that no subject id reaches a log line (Lambda sends both streams to CloudWatch Logs).
 */
import { format } from 'node:util';

export interface OutputCapture {
  /** Every line written so far. */
  text(): string;
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
    console: { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug },
  };
  const sink = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = sink as typeof process.stdout.write;
  process.stderr.write = sink as typeof process.stderr.write;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) console[level] = (...args: unknown[]) => void chunks.push(`${format(...args)}\n`);
  return {
    text: () => chunks.join(''),
    restore() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
      Object.assign(console, originals.console);
    },
  };
}
