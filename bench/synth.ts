/**
 * Synthesis wall times, all measured in one run on one machine: `npx tsx bench/synth.ts [--runs N]`.
 *
 * - cli: `cdk synth -q -c env=<name> -o <tmp>` per environment, plus a floor (bench/fixtures/floor-app.ts:
 *   same runner, aws-cdk-lib, one trivial resource) and dev with compliance off (a temp copy of bin/app.ts
 *   that passes `{ compliance: false }`). Built-in validation off = `CDK_VALIDATION=false`, which
 *   aws-cdk-lib 2.276 reads in core/lib/private/synthesis-validation.js (`defaultValidationEnabled`).
 * - in-process: `synthEnvironment` (test/support/synth) in a fresh child process per sample. "cold" is the
 *   first synthesis in that process, module loading included (what each vitest worker pays); "warm" is
 *   every later synthesis in the same process (modules loaded, the validation's WASM initialised).
 *
 * Each row is the median of N samples (default 3; warm rows pool N per worker, so N*N), with its ratio to
 * the floor of the same mode and the same validation setting. Samples are taken round-robin over rows and
 * modes, and the load average is printed: other processes on the machine inflate wall times. Prints numbers
 * only: no assertions, no thresholds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EnvironmentName } from '../config/limits';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');
const FLOOR_APP = join('bench', 'fixtures', 'floor-app.ts');
const ENVIRONMENTS: readonly EnvironmentName[] = ['dev', 'staging', 'prod'];
const RESULT_PREFIX = 'BENCH_RESULT ';

type Mode = 'cli' | 'in-process cold' | 'in-process warm';

/** What one measurement synthesizes. `env` undefined = the floor. */
interface Case {
  readonly env?: EnvironmentName;
  readonly validation: boolean;
  readonly compliance: boolean;
}

interface Row extends Case {
  readonly mode: Mode;
  readonly samples: number[]; // seconds
  /** CloudFormation resources over all synthesized stacks ("38/39" when the code changed during the run). */
  readonly resources: string;
}

interface WorkerResult {
  readonly coldMs: number;
  readonly warmMs: number[];
  readonly resources: number;
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The parent's environment without any CDK_VALIDATION, plus `CDK_VALIDATION=false` when validation is off. */
function childEnv(validation: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CDK_VALIDATION;
  if (!validation) env.CDK_VALIDATION = 'false';
  return env;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}:\n${result.stderr}${result.stdout}`);
  }
  return { ms, stdout: result.stdout };
}

function label(c: Case): string {
  if (!c.env) return 'floor';
  return c.compliance ? c.env : `${c.env} (no cdk-nag)`;
}

function parseRuns(argv: readonly string[]): number {
  const at = argv.indexOf('--runs');
  if (at < 0) return 3;
  const runs = Number(argv[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer, got ${argv[at + 1]}`);
  return runs;
}

// ---------------------------------------------------------------------------------------------------------
// in-process worker: `tsx bench/synth.ts --worker '<Case JSON>' <warm runs>`

async function worker(c: Case, warmRuns: number): Promise<void> {
  // Only node built-ins are loaded at this point: the cold sample includes loading aws-cdk-lib and our code.
  const start = performance.now();
  const synthOnce = await loadSynth(c);
  const resources = synthOnce();
  const coldMs = performance.now() - start;
  const warmMs: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    const t = performance.now();
    synthOnce();
    warmMs.push(performance.now() - t);
  }
  const result: WorkerResult = { coldMs, warmMs, resources };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Returns a function that synthesizes the case once, removes its output and returns the resource count. */
async function loadSynth(c: Case): Promise<() => number> {
  if (c.env) {
    const env = c.env;
    const { synthEnvironment } = await import('../test/support/synth');
    return () => {
      const { assembly, templates } = synthEnvironment(env, { builtinValidation: c.validation, compliance: c.compliance });
      rmSync(assembly.directory, { recursive: true, force: true });
      return Object.values(templates).reduce((n, t) => n + Object.keys(t.Resources).length, 0);
    };
  }
  const { App } = await import('aws-cdk-lib');
  const { cliContext } = await import('../test/support/app-context');
  const { addFloorStack } = await import('./fixtures/floor-app');
  return () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    const app = new App({ context: cliContext(), outdir, builtinCloudFormationValidation: c.validation });
    addFloorStack(app);
    const assembly = app.synth();
    const resources = assembly.stacks.reduce((n, s) => n + Object.keys(s.template.Resources ?? {}).length, 0);
    rmSync(outdir, { recursive: true, force: true });
    return resources;
  };
}

// ---------------------------------------------------------------------------------------------------------
// parent

/** bin/app.ts with `{ compliance: false }`, written to a temp dir (the CLI cannot switch cdk-nag off). */
function writeNoNagApp(dir: string): string {
  const file = join(dir, 'no-nag-app.ts');
  const from = (p: string) => JSON.stringify(join(ROOT, p));
  writeFileSync(
    file,
    [
      `import { App } from ${from('node_modules/aws-cdk-lib')};`,
      `import { DEFAULT_ENVIRONMENT, loadEnvironmentConfig } from ${from('config/load')};`,
      `import { buildLakehouse } from ${from('lib/lakehouse-app')};`,
      `const app = new App();`,
      `const requested = app.node.tryGetContext('env') ?? DEFAULT_ENVIRONMENT;`,
      `buildLakehouse(app, loadEnvironmentConfig(String(requested)), { compliance: false });`,
      `app.synth();`,
      '',
    ].join('\n'),
  );
  return file;
}

function cliSample(c: Case, scratch: string, noNagApp: string): number {
  const outdir = mkdtempSync(join(scratch, 'out-'));
  const args = ['synth', '-q', '-o', outdir];
  if (!c.env) args.push('--app', `${TSX} ${FLOOR_APP}`);
  else {
    args.push('-c', `env=${c.env}`);
    if (!c.compliance) args.push('--app', `${TSX} ${noNagApp}`);
  }
  const { ms } = run(CDK, args, childEnv(c.validation));
  rmSync(outdir, { recursive: true, force: true });
  return ms / 1000;
}

function inProcessSample(c: Case, warmRuns: number): WorkerResult {
  const { stdout } = run(TSX, [__filename, '--worker', JSON.stringify(c), String(warmRuns)], childEnv(c.validation));
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`worker printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult;
}

function cases(): Case[] {
  const list: Case[] = [];
  for (const validation of [true, false]) {
    list.push({ validation, compliance: true });
    for (const env of ENVIRONMENTS) list.push({ env, validation, compliance: true });
    list.push({ env: 'dev', validation, compliance: false });
  }
  return list;
}

function printTable(rows: readonly Row[]): void {
  const floorOf = (r: Row) => rows.find((f) => f.mode === r.mode && !f.env && f.validation === r.validation);
  const header = ['mode', 'synthesis', 'resources', 'validation', 'median s', 'x floor', 'samples s'];
  const body = rows.map((r) => {
    const floor = floorOf(r);
    const ratio = floor ? median(r.samples) / median(floor.samples) : NaN;
    return [
      r.mode,
      label(r),
      r.resources || '-',
      r.validation ? 'on' : 'off',
      r.samples.length ? median(r.samples).toFixed(2) : 'failed',
      Number.isFinite(ratio) ? ratio.toFixed(1) : '-',
      r.samples.map((s) => s.toFixed(2)).join(' '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

/**
 * Splits one environment's full synthesis (validation on, cdk-nag on) into: the floor without validation,
 * the built-in validation (on - off), cdk-nag (dev only: nag - no nag) and our constructs (the rest).
 */
function breakdown(rows: readonly Row[], mode: Mode, env: EnvironmentName): string | undefined {
  const get = (e: EnvironmentName | undefined, validation: boolean, compliance: boolean) => {
    const r = rows.find((x) => x.mode === mode && x.env === e && x.validation === validation && x.compliance === compliance);
    return r?.samples.length ? median(r.samples) : undefined;
  };
  const total = get(env, true, true);
  const off = get(env, false, true);
  const floorOff = get(undefined, false, true);
  if (total === undefined || off === undefined || floorOff === undefined) return undefined;
  const noNag = get(env, false, false);
  const parts: [string, number][] = [
    ['floor (runtime + aws-cdk-lib, no validation)', floorOff],
    ['built-in validation', total - off],
  ];
  if (noNag !== undefined) parts.push(['cdk-nag', off - noNag], ['our constructs', noNag - floorOff]);
  else parts.push(['cdk-nag + our constructs', off - floorOff]);
  const top = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const text = parts.map(([name, s]) => `${name} ${s.toFixed(2)} s (${Math.round((100 * s) / total)}%)`).join(', ');
  return `${mode} ${env} ${total.toFixed(2)} s = ${text} -> dominated by ${top[0]}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') return worker(JSON.parse(argv[1]) as Case, Number(argv[2]));

  const runs = parseRuns(argv);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const noNagApp = writeNoNagApp(scratch);
  const all = cases();
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`synthesis benchmark: ${runs} run(s) per row, node ${process.version}, ${cpus().length} CPU(s), ${new Date().toISOString()}`);
  console.log(`load average at start: ${load()}`);

  try {
    // Untimed warm-up: fills tsx's transform cache and the file-system cache for every code path.
    cliSample({ env: 'dev', validation: false, compliance: true }, scratch, noNagApp);
    cliSample({ validation: false, compliance: true }, scratch, noNagApp);
    cliSample({ env: 'dev', validation: false, compliance: false }, scratch, noNagApp);

    // Samples are taken round-robin over the rows and both modes, so a burst of load elsewhere on the
    // machine spreads over all rows instead of inflating a few.
    const cli = all.map((): number[] => []);
    const cold = all.map((): number[] => []);
    const warm = all.map((): number[] => []);
    const resources = all.map(() => new Set<number>());
    // A sample that fails (the tree is edited while the benchmark runs) is reported, not fatal.
    const failures = new Map<string, number>();
    const attempt = <T>(what: string, f: () => T): T | undefined => {
      try {
        return f();
      } catch (error) {
        const first = String(error instanceof Error ? error.message : error).split('\n').slice(0, 6).join('\n    ');
        const key = `${what}: ${first}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        return undefined;
      }
    };
    for (let round = 0; round < runs; round++) {
      all.forEach((c, i) => {
        const name = `${label(c)}, validation ${c.validation ? 'on' : 'off'}`;
        const seconds = attempt(`cli ${name}`, () => cliSample(c, scratch, noNagApp));
        if (seconds !== undefined) cli[i].push(seconds);
        const result = attempt(`in-process ${name}`, () => inProcessSample(c, runs));
        if (!result) return;
        cold[i].push(result.coldMs / 1000);
        warm[i].push(...result.warmMs.map((ms) => ms / 1000));
        resources[i].add(result.resources);
      });
      process.stderr.write(`  round ${round + 1}/${runs} done (load average ${load()})\n`);
    }

    const rows: Row[] = [
      ...all.map((c, i): Row => ({ ...c, mode: 'cli', samples: cli[i], resources: [...resources[i]].join('/') })),
      ...all.map((c, i): Row => ({ ...c, mode: 'in-process cold', samples: cold[i], resources: [...resources[i]].join('/') })),
      ...all.map((c, i): Row => ({ ...c, mode: 'in-process warm', samples: warm[i], resources: [...resources[i]].join('/') })),
    ];
    console.log(`load average at end: ${load()}`);
    console.log('');
    printTable(rows);
    console.log('');
    console.log('What dominates (full synthesis = validation on + cdk-nag; parts from the medians above, cdk-nag split measured for dev only):');
    for (const mode of ['cli', 'in-process cold', 'in-process warm'] as const) {
      for (const env of ENVIRONMENTS) {
        const text = breakdown(rows, mode, env);
        if (text) console.log(`  ${text}`);
      }
    }
    if (failures.size) {
      console.log('');
      console.log('Failed samples (left out of the medians):');
      for (const [what, count] of failures) console.log(`  ${count}x ${what}`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
