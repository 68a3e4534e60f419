import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliContext, REPO_ROOT } from '../support/app-context';

const BUGS_URL = 'the issue tracker of the repository you got it from (README.md, "Reporting a bug")';

/**
 * Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON (cdk.json's and
 * cdk.context.json's, as the CLI passes them), output dir in CDK_OUTDIR. With a scenario, the child
 * first breaks one input (test/support/entry-point-scenarios.ts), then runs the same bin/app.ts.
 */
function runApp(context: Record<string, unknown>, options: { scenario?: string; env?: Record<string, string> } = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'lakehouse-bin-'));
  const entry = options.scenario ? join(REPO_ROOT, 'test', 'support', 'entry-point-scenarios.ts') : join(REPO_ROOT, 'bin', 'app.ts');
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [entry], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cliContext(), ...context }),
      CDK_OUTDIR: outdir,
      CDK_VALIDATION: 'false',
      LAKEHOUSE_SCENARIO: options.scenario ?? '',
      LAKEHOUSE_DEBUG: '',
      ...options.env,
    },
  });
  const templates = existsSync(outdir) ? readdirSync(outdir).filter((file) => file.endsWith('.template.json')) : [];
  rmSync(outdir, { recursive: true, force: true });
  return { ...result, templates };
}

describe('bin/app.ts', () => {
  it('an unknown -c env fails with the list of valid environments and writes no template', () => {
    const result = runApp({ env: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('Unknown environment "qa" (from -c env=qa). Valid environments: dev, staging, prod (files in config/environments/).\n');
    expect(result.templates).toEqual([]);
  });

  it('without -c env synthesizes dev', () => {
    const result = runApp({});
    expect(result.status, result.stderr).toBe(0);
    expect(result.templates.sort()).toEqual([
      'lakehouse-dev-catalog.template.json',
      'lakehouse-dev-collector.template.json',
      'lakehouse-dev-embeddings.template.json',
      'lakehouse-dev-ingestion.template.json',
      'lakehouse-dev-network.template.json',
      'lakehouse-dev-operations.template.json',
      'lakehouse-dev-privacy.template.json',
      'lakehouse-dev-storage.template.json',
      'lakehouse-dev-vector.template.json',
    ]);
  });
});

/** One bad input per class; each reaches the user as the same report, exactly this text, no stack trace. */
const BAD_INPUTS: ReadonlyArray<{ readonly scenario: string; readonly env?: string; readonly stderr: string }> = [
  {
    scenario: 'config-cidr-host-bits',
    stderr:
      'Invalid configuration in config/environments/dev.ts (nothing was synthesized):\n' +
      '  - network.cidr: got "10.10.0.1/16"; has host bits set: AWS would use the network 10.10.0.0/16 instead; write "10.10.0.0/16"\n',
  },
  {
    scenario: 'dataset-misspelt-retention',
    stderr:
      'Invalid configuration in config/datasets/events.ts, dataset "events" (nothing was synthesized):\n' +
      '  - retentionDay: got {"raw":400}; is not a field here; did you mean "retentionDays"? (known: name, zone, owner, domain, description, columns, format, partitioning, retentionDays, freshnessSloMinutes, ingestion, quality, dataSubject, iceberg, shard)\n',
  },
  {
    scenario: 'dataset-missing-time',
    stderr: 'Invalid configuration in config/datasets/events.ts, dataset "events" (nothing was synthesized):\n  - partitioning.time: got (missing); is required\n',
  },
  {
    scenario: 'collections-duplicate',
    stderr:
      'Invalid configuration in config/environments/dev.ts (nothing was synthesized):\n' +
      '  - vectorStore.collections[1].name: got "docs"; duplicate collection name (2 collections would share table public.docs); give each collection its own name\n',
  },
  {
    scenario: 'quality-range-on-string',
    stderr:
      'Invalid configuration in config/datasets/events.ts, dataset "events" (nothing was synthesized):\n' +
      '  - quality.ranges.event: got {"min":0}; the data-quality checks cannot use it: "event" is not a numeric column, so it has no numeric range\n',
  },
  {
    scenario: 'elt-half-declared',
    stderr:
      'Invalid configuration in the dataset list (nothing was synthesized):\n' +
      '  - datasets: got events, events_curated, daily_active_users, monthly_active_users, feature_adoption, funnel_conversion ' +
      '(from config/datasets/events.ts, config/datasets/events-curated.ts, config/datasets/analytics.ts); ' +
      'the metrics ELT reads events and writes events_curated, daily_active_users, monthly_active_users, retention_cohorts, feature_adoption, funnel_conversion; ' +
      'declare the missing dataset(s) retention_cohorts, or none of them\n',
  },
  {
    scenario: 'curated-lacks-raw-column',
    stderr:
      'Invalid configuration in config/datasets/events-curated.ts, dataset "events_curated" (nothing was synthesized):\n' +
      '  - columns: got no column session_id; every column of events with the same type (events.columns[7] is session_id string): ' +
      "add it at the end of events_curated's columns, and to the INSERT of constructs/elt/sql/events_curated.sql\n",
  },
  {
    scenario: 'monitoring-duplicate-email',
    stderr:
      'Invalid configuration in config/environments/dev.ts (nothing was synthesized):\n' +
      '  - operations.alarmEmails[1]: got "OnCall@example.com"; duplicates operations.alarmEmails[0]; list each e-mail address (one SNS subscription each) once\n',
  },
  {
    scenario: 'endpoints-missing',
    stderr:
      'Invalid configuration in config/environments/dev.ts (nothing was synthesized):\n' +
      '  - network.interfaceEndpoints: got ["kms","sts","secretsmanager","logs","lambda"]; lacks "states" (called by the vector store bootstrap and the erasure functions), ' +
      '"backup" (called by the recovery evidence functions), "monitoring" (called by the recovery evidence functions and the data-quality checks), ' +
      '"rds" (called by the recovery evidence functions), "athena" (called by the Iceberg DDL function and the data-quality checks and the erasure functions), "glue" (called by the data-quality checks), ' +
      '"bedrock-runtime" (called by the embeddings consumers), "kinesis-streams" (called by the HTTP collector): ' +
      'functions in isolated subnets have no other route to these services; add them, or remove the list to get the defaults\n',
  },
  {
    scenario: 'context-new-region',
    env: 'staging',
    stderr:
      'Invalid configuration in cdk.context.json (nothing was synthesized):\n' +
      '  - "availability-zones:account=111111111111:region=eu-north-1": got (missing); config/environments/staging.ts names account 111111111111 in eu-north-1, ' +
      'whose availability zones synthesis needs offline: add "availability-zones:account=111111111111:region=eu-north-1": ["eu-north-1a", "eu-north-1b", "eu-north-1c"] ' +
      '(the zone names of that account), or run `npx cdk synth -c env=staging` once with credentials for that account so the CLI records them\n',
  },
];

describe('every class of bad input reaches the user as one report without a stack trace', () => {
  it.each(BAD_INPUTS)('$scenario', ({ scenario, env, stderr }) => {
    const result = runApp({ env: env ?? 'dev' }, { scenario });
    expect(result.stderr).toBe(stderr);
    expect(result.status).toBe(1);
    expect(result.templates).toEqual([]);
  });

  it.each([
    {
      title: 'a syntax error',
      source: "export const dev = {\n  name: 'dev',\n  owner: 'x'\n  costCenter: 'y',\n};\n",
      line: '  - line 4, column 2: got a syntax error; Expected "}" but found "costCenter"; fix the file (TypeScript syntax, every object and array closed, no code that throws)\n',
    },
    {
      title: 'code that throws while the file loads',
      source: 'const missing: any = undefined;\nexport const dev = { name: missing.name };\n',
      line: "  - line 2, column 36: got an error while the file ran; TypeError: Cannot read properties of undefined (reading 'name'); fix the file (TypeScript syntax, every object and array closed, no code that throws)\n",
    },
  ])('an environment file with $title is reported as that file, not as a crash', ({ source, line }) => {
    const dir = mkdtempSync(join(tmpdir(), 'lakehouse-broken-'));
    const broken = join(dir, 'config', 'environments', 'dev.ts');
    mkdirSync(join(dir, 'config', 'environments'), { recursive: true });
    writeFileSync(broken, source);
    const result = runApp({ env: 'dev' }, { scenario: 'config-file-broken', env: { LAKEHOUSE_BROKEN_FILE: broken } });
    rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).toBe(`Invalid configuration in config/environments/dev.ts (nothing was synthesized):\n${line}`);
    expect(result.status).toBe(1);
  });

  it('an unexpected error says it is a bug and where to report it, with the stack only on request', () => {
    const plain = runApp({ env: 'dev' }, { scenario: 'unexpected-error' });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toBe(
      `Unexpected error (this is a bug in Lakehouse Blueprint; please report it at ${BUGS_URL}):\n` +
        '  TypeError: simulated failure inside the app\n' +
        '(run with LAKEHOUSE_DEBUG=1 for the stack trace)\n',
    );
    const debug = runApp({ env: 'dev' }, { scenario: 'unexpected-error', env: { LAKEHOUSE_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/^Unexpected error \(this is a bug in Lakehouse Blueprint; please report it at .*\):\n {2}TypeError: simulated failure inside the app\nTypeError: simulated failure inside the app\n\s+at /);
  });
});
