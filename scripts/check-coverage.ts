/**
 * CI gate: every runtime module keeps at least RUNTIME_LINE_COVERAGE % line coverage. The modules are
 * the coverage `include` of vitest.config.mts (reported even when no test loads them, at 0 %); this
 * reads the summary `npm test -- --coverage` wrote and fails when a module is under the bar, or when a
 * runtime file by convention (a Lambda handler, a producer or vector-client file) is not in the report:
 * a new handler must not escape the gate by being forgotten.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const RUNTIME_LINE_COVERAGE = 90;
export const COVERAGE_SUMMARY = 'test-results/coverage/coverage-summary.json';

/** coverage-summary.json: absolute file path (or "total") → metric → counts. */
export type CoverageSummary = Record<string, { readonly lines: { readonly total: number; readonly covered: number; readonly pct: number } }>;

export interface ModuleCoverage {
  /** Relative to the repository root. */
  readonly module: string;
  readonly linesPct: number;
}

export interface CoverageVerdict {
  readonly modules: readonly ModuleCoverage[];
  readonly problems: readonly string[];
}

/** Runtime files by convention: every Lambda handler under constructs/, every non-index file of producer/ and vector-client/. */
export function conventionalRuntimeFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(join(root, directory), { withFileTypes: true })) {
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'handler.ts') found.push(path);
    }
  };
  walk('constructs');
  for (const directory of ['producer', 'vector-client']) {
    for (const name of readdirSync(join(root, directory))) if (name.endsWith('.ts') && name !== 'index.ts') found.push(`${directory}/${name}`);
  }
  return found.sort();
}

export function judgeCoverage(root: string, summary: CoverageSummary, conventional: readonly string[], minimum = RUNTIME_LINE_COVERAGE): CoverageVerdict {
  const modules = Object.entries(summary)
    .filter(([path]) => path !== 'total')
    .map(([path, metrics]): ModuleCoverage => ({ module: relative(root, path), linesPct: metrics.lines.pct }));
  const problems: string[] = [];
  if (modules.length === 0) problems.push('the coverage report lists no file (was the run made with --coverage?)');
  for (const { module, linesPct } of modules) {
    if (linesPct < minimum) problems.push(`${module}: ${linesPct.toFixed(2)} % of lines covered, under the ${minimum} % bar`);
  }
  const reported = new Set(modules.map((entry) => entry.module));
  for (const file of conventional) {
    if (!reported.has(file)) problems.push(`${file}: runtime code missing from the coverage report (add it to RUNTIME_MODULES in vitest.config.mts, with tests)`);
  }
  return { modules, problems };
}

function main(): number {
  const root = join(__dirname, '..');
  const path = join(root, COVERAGE_SUMMARY);
  if (!existsSync(path)) {
    console.error(`coverage:check: ${COVERAGE_SUMMARY} does not exist; run \`npm test -- --coverage\` first`);
    return 1;
  }
  const verdict = judgeCoverage(root, JSON.parse(readFileSync(path, 'utf8')) as CoverageSummary, conventionalRuntimeFiles(root));
  for (const { module, linesPct } of verdict.modules) console.log(`${linesPct.toFixed(2).padStart(7)} %  ${module}`);
  if (verdict.problems.length > 0) {
    console.error(`coverage:check: ${verdict.problems.length} problem(s):\n${verdict.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  console.log(`coverage:check: ${verdict.modules.length} runtime modules, each >= ${RUNTIME_LINE_COVERAGE} % of lines covered`);
  return 0;
}

if (require.main === module) process.exitCode = main();
