/**
 * scripts/produce-sample.ts, run as `npm run produce:sample` runs it (tsx, a child process).
 * - Without credentials or a region: a scrubbed environment; the script must fail fast, before building
 *   any client (so nothing can probe the instance-metadata address).
 * - End to end: against a real moto server (Kinesis wire protocol) with test credentials and --endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialProblem } from '../../scripts/aws-prerequisites';
import { runOperatorScript, scrubbedEnvironment, withMetadataStandIn } from '../support/operator-scripts';
import { CREDENTIALS, REGION, startMotoKinesis, type MotoKinesis } from './moto-kinesis';

const home = mkdtempSync(join(tmpdir(), 'lakehouse-produce-sample-'));

const scrubbed = (extra: Record<string, string> = {}) => scrubbedEnvironment(home, extra);
const run = (args: string[], env: NodeJS.ProcessEnv) => runOperatorScript('produce-sample.ts', args, env);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('produce:sample without credentials (scrubbed environment)', () => {
  it('exits 1 at once with a clear message naming what is missing, and sends nothing', async () => {
    // A stand-in for the instance metadata service, on loopback: the script must never ask it anything.
    const { result, probes } = await withMetadataStandIn((endpoint) => run(['--env', 'dev', '--count', '5'], scrubbed({ AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint })));
    expect(probes).toEqual([]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('produce:sample needs AWS credentials and a region; nothing was sent');
    expect(result.stderr).toContain('no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(result.stderr).toContain('no region: config/environments/dev.ts has none; set AWS_REGION or AWS_DEFAULT_REGION');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(result.stdout).toBe('');
  });

  it('with a region but no credentials, names only the credentials', async () => {
    const result = await run(['--env', 'dev', '--count', '5'], scrubbed({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no AWS credentials in the environment (AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not)');
    expect(result.stderr).not.toContain('no region');
  });

  it('refuses a bad --count or environment before anything else', async () => {
    const badCount = await run(['--env', 'dev', '--count', 'lots'], scrubbed());
    expect(badCount.status).toBe(1);
    expect(badCount.stderr).toContain('--count must be an integer from 1 to 100000, got "lots"');
    const badEnv = await run(['--env', 'qa'], scrubbed());
    expect(badEnv.status).toBe(1);
    expect(badEnv.stderr).toContain('Unknown environment "qa"');
  });

  it('recognises each credential source the SDK can use without the metadata service', () => {
    expect(credentialProblem({})).toBeDefined();
    expect(credentialProblem({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toBeUndefined();
    expect(credentialProblem({ AWS_PROFILE: 'dev' })).toBeUndefined();
    expect(credentialProblem({ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token' })).toBeUndefined();
    expect(credentialProblem({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/creds' })).toBeUndefined();
    expect(credentialProblem({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })).toBeUndefined();
    expect(credentialProblem({ AWS_SECRET_ACCESS_KEY: 'b' })).toContain('AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not');
    expect(credentialProblem({ AWS_ACCESS_KEY_ID: ' ', AWS_SECRET_ACCESS_KEY: 'b' })).toBeDefined();
  });
});

describe('produce:sample end to end against moto', () => {
  let moto: MotoKinesis;

  beforeAll(async () => {
    moto = await startMotoKinesis();
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('sends N seed-shaped events to lakehouse-dev-events as canonical records', async () => {
    await moto.createStream('lakehouse-dev-events', 2);
    const result = await run(
      ['--env', 'dev', '--count', '120', '--endpoint', moto.endpoint],
      scrubbed({ AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: REGION }),
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('lakehouse-dev-events: 120 sent, 0 rejected, 0 failed (of 120)');
    const stored = await moto.readAll('lakehouse-dev-events');
    expect(stored).toHaveLength(120);
    const names = new Set(stored.map((record) => (record.data as { event: string }).event));
    expect(names.size).toBeGreaterThan(3);
    for (const { data, partitionKey } of stored) {
      const record = data as Record<string, unknown>;
      expect(Object.keys(record)).toEqual(['event', 'user_id', 'event_time', 'context', 'traits', 'properties', 'event_id']);
      expect(partitionKey).toBe(record.user_id);
      const age = Date.now() - Date.parse(record.event_time as string);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(3_600_000 + 60_000);
    }
  });
});
