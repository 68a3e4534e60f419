/**
 * Running the operator scripts that call AWS (`elt:backfill`, `produce:sample`) the two ways their tests
 * need: as `npm run` runs them (tsx, a child process, in a scrubbed environment), and `main()` in this
 * process with exactly the AWS variables a test gives, its console output captured.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { vi } from 'vitest';
import { REPO_ROOT } from './app-context';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment: no AWS_* variable from the parent, `home` as HOME (no ~/.aws). */
export function scrubbedEnvironment(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, ...extra };
}

/** Runs scripts/<script> with tsx in `env` (killed after 60 s). */
export function runOperatorScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'scripts', script), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * A stand-in for the instance metadata service on loopback, for the duration of `work` (given its
 * endpoint, for AWS_EC2_METADATA_SERVICE_ENDPOINT): returns what `work` returned and every request it got.
 */
export async function withMetadataStandIn<T>(work: (endpoint: string) => Promise<T>): Promise<{ result: T; probes: string[] }> {
  const probes: string[] = [];
  const metadata = createServer((request, response) => {
    probes.push(`${request.method} ${request.url}`);
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  try {
    const result = await work(`http://127.0.0.1:${(metadata.address() as AddressInfo).port}`);
    return { result, probes };
  } finally {
    await new Promise<void>((resolve) => metadata.close(() => resolve()));
  }
}

/**
 * This process's AWS_* variables become exactly `variables` (vi.unstubAllEnvs restores them), with no
 * shared config or credentials file under `home`: nothing from the machine running the tests leaks in.
 */
export function onlyAwsVariables(home: string, variables: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) vi.stubEnv(name, undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(home, 'no-config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'no-credentials'));
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

/** Runs `work` with console.log and console.error captured, one entry per printed line. */
export async function captureConsole<T>(work: () => Promise<T>): Promise<{ result: T; stdout: string[]; stderr: string[] }> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const lines = (spy: typeof log) => spy.mock.calls.flatMap((args) => args.map(String).join(' ').split('\n'));
  try {
    const result = await work();
    return { result, stdout: lines(log), stderr: lines(error) };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}
