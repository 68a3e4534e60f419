/**
 * CI gate: every runtime module keeps >= RUNTIME_LINE_COVERAGE % line coverage. Reads the summary that
 * `npm test -- --coverage` wrote (vitest.config.ts) and fails when a module is under the bar, was not
 * measured, or when a runtime file exists that the list in scripts/runtime-modules.ts does not name
 * (a new Lambda handler or producer file must not escape the gate by being forgotten).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COVERAGE_DIRECTORY, RUNTIME_LINE_COVERAGE, RUNTIME_MODULES } from './runtime-modules';

/** coverage-summary.json: absolute file path (or "total") → metric → counts. */
export type CoverageSummary = Record<string, { readonly lines: { readonly total: number; readonly covered: number; readonly pct: number } }>;

export interface ModuleCoverage {
  readonly module: string;
  /** undefined when the module was not in the report. */
  readonly linesPct?: number;
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

export function judgeCoverage(
  root: string,
  summary: CoverageSummary,
  modules: readonly string[] = RUNTIME_MODULES,
  minimum = RUNTIME_LINE_COVERAGE,
  conventional: readonly string[] = conventionalRuntimeFiles(root),
): CoverageVerdict {
  const byModule = new Map(Object.entries(summary).filter(([path]) => path !== 'total').map(([path, metrics]) => [relative(root, path), metrics.lines.pct]));
  const problems: string[] = [];
  const measured = modules.map((module): ModuleCoverage => {
    const linesPct = byModule.get(module);
    if (linesPct === undefined) problems.push(`${module}: not in the coverage report (run the tests with --coverage; is the path right?)`);
    else if (linesPct < minimum) problems.push(`${module}: ${linesPct.toFixed(2)} % of lines covered, under the ${minimum} % bar`);
    return { module, linesPct };
  });
  for (const file of conventional) {
    if (!modules.includes(file)) problems.push(`${file}: runtime code not listed in scripts/runtime-modules.ts (add it, with tests)`);
  }
  return { modules: measured, problems };
}

function main(): number {
  const root = join(__dirname, '..');
  const path = join(root, COVERAGE_DIRECTORY, 'coverage-summary.json');
  if (!existsSync(path)) {
    console.error(`coverage:check: ${relative(root, path)} does not exist; run \`npm test -- --coverage\` first`);
    return 1;
  }
  const verdict = judgeCoverage(root, JSON.parse(readFileSync(path, 'utf8')) as CoverageSummary);
  for (const { module, linesPct } of verdict.modules) console.log(`${(linesPct === undefined ? '-' : linesPct.toFixed(2)).padStart(7)} %  ${module}`);
  if (verdict.problems.length > 0) {
    console.error(`coverage:check: ${verdict.problems.length} problem(s):\n${verdict.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return 1;
  }
  console.log(`coverage:check: ${verdict.modules.length} runtime modules, each >= ${RUNTIME_LINE_COVERAGE} % of lines covered`);
  return 0;
}

if (require.main === module) process.exitCode = main();
