/**
 * CI gate: runtime code keeps at least RUNTIME_LINE_COVERAGE % line coverage, file by file.
 *
 * Runtime code is everything that runs in AWS or against it, found rather than listed (a list drifts):
 * the entry points are every Lambda handler (`constructs/**\/handler.ts`, and each file of a `handlers/`
 * folder: a construct with several functions, such as the erasure workflow), the producer and vector-client
 * libraries, and the operator scripts that call AWS (`npm run elt:backfill`, `npm run produce:sample`, `npm run embeddings:backfill`);
 * the gated files are every repository file esbuild bundles from them. CDK construct code is proven by
 * synthesis, cdk-nag and cfn-lint tests instead and is not gated here.
 *
 * Reads the summary `npm test -- --coverage` wrote (vitest.config.mts measures every source file) and
 * fails when a runtime file is under the bar or missing from the report.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

export const RUNTIME_LINE_COVERAGE = 90;
export const COVERAGE_SUMMARY = 'test-results/coverage/coverage-summary.json';
/** Operator scripts that call AWS; the other scripts are build and documentation tooling. */
export const OPERATOR_SCRIPTS = ['scripts/elt-backfill.ts', 'scripts/produce-sample.ts', 'scripts/embeddings-backfill.ts', 'scripts/privacy-erase.ts', 'scripts/privacy-report.ts'];

/** coverage-summary.json: absolute file path (or "total") → metric → counts. */
export type CoverageSummary = Record<string, { readonly lines: { readonly total: number; readonly covered: number; readonly pct: number } }>;

export interface ModuleCoverage {
  /** Relative to the repository root. */
  readonly module: string;
  /** undefined when the file is not in the report. */
  readonly linesPct?: number;
}

export interface CoverageVerdict {
  readonly modules: readonly ModuleCoverage[];
  readonly problems: readonly string[];
}

/** The runtime entry points: every Lambda handler under constructs/ (`handler.ts`, `handlers/*.ts`), the two runtime libraries, the operator scripts. */
export function runtimeEntryPoints(root: string): string[] {
  const handlers: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'handler.ts' || (directory.endsWith('/handlers') && entry.name.endsWith('.ts'))) handlers.push(path);
    }
  };
  walk('constructs');
  return [...handlers.sort(), 'producer/index.ts', 'vector-client/index.ts', ...OPERATOR_SCRIPTS];
}

/** Every repository source file bundled from the entry points (npm packages left out), relative and sorted. */
export function runtimeModules(root: string, entryPoints: readonly string[]): string[] {
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [...entryPoints],
    bundle: true,
    write: false,
    outdir: 'unused',
    metafile: true,
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs)
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules/'))
    .sort();
}

export function judgeCoverage(root: string, summary: CoverageSummary, modules: readonly string[], minimum = RUNTIME_LINE_COVERAGE): CoverageVerdict {
  const reported = new Map(Object.entries(summary).filter(([path]) => path !== 'total').map(([path, metrics]) => [relative(root, path), metrics.lines.pct]));
  const problems: string[] = [];
  if (modules.length === 0) problems.push('no runtime module was found (are the entry points where runtimeEntryPoints looks?)');
  const measured = modules.map((module): ModuleCoverage => {
    const linesPct = reported.get(module);
    if (linesPct === undefined) problems.push(`${module}: not in the coverage report (was the run made with --coverage; does vitest.config.mts include it?)`);
    else if (linesPct < minimum) problems.push(`${module}: ${linesPct.toFixed(2)} % of lines covered, under the ${minimum} % bar`);
    return { module, linesPct };
  });
  return { modules: measured, problems };
}

function main(): number {
  const root = join(__dirname, '..');
  const path = join(root, COVERAGE_SUMMARY);
  if (!existsSync(path)) {
    console.error(`coverage:check: ${COVERAGE_SUMMARY} does not exist; run \`npm test -- --coverage\` first`);
    return 1;
  }
  const modules = runtimeModules(root, runtimeEntryPoints(root));
  const verdict = judgeCoverage(root, JSON.parse(readFileSync(path, 'utf8')) as CoverageSummary, modules);
  for (const { module, linesPct } of verdict.modules) console.log(`${(linesPct === undefined ? '-' : linesPct.toFixed(2)).padStart(7)} %  ${module}`);
  if (verdict.problems.length > 0) {
    console.error(`coverage:check: ${verdict.problems.length} problem(s):\n${verdict.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  console.log(`coverage:check: ${verdict.modules.length} runtime modules, each >= ${RUNTIME_LINE_COVERAGE} % of lines covered`);
  return 0;
}

if (require.main === module) process.exitCode = main();
