/**
 * A moto server (preinstalled: `python3 -m moto.server`) on a free loopback port, started and stopped by
 * a test file. Every service moto emulates answers on the one endpoint; a test builds its own SDK clients.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops the server and waits for it to exit (idempotent). */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts moto and waits (up to 30 s) until its management API answers; the error carries moto's output. */
export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  moto.stdout?.on('data', (chunk) => (output += String(chunk)));
  moto.stderr?.on('data', (chunk) => (output += String(chunk)));
  const stop = async () => {
    if (moto.exitCode === null && moto.signalCode === null) {
      const exited = new Promise((resolve) => moto.once('exit', resolve));
      moto.kill('SIGTERM');
      await exited;
    }
  };
  const started = Date.now();
  for (;;) {
    if (moto.exitCode !== null) throw new Error(`moto exited with ${moto.exitCode}:\n${output}`);
    let problem = 'no answer yet';
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return { endpoint, stop };
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = String(error);
    }
    if (Date.now() - started > 30_000) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within 30 s (${problem}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
