/**
 * Every stack's use of every budgeted limit (resources, template bytes, outputs, parameters, IAM policy
 * size, composite alarm rule length) and how many more datasets each sharded stack can take.
 * Usage: npm run budget -- -c env=<name>     (default dev; exit 1 when any stack is over a budget)
 */
import { App } from 'aws-cdk-lib';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../config/limits';
import { loadEnvironmentConfig } from '../config/load';
import type { DatasetDefinition } from '../constructs/datasets';
import { budgetProblems, datasetsItCanTake, LIMITS, measureTemplate, MEASURES, type BudgetProblem, type BudgetTemplate, type Measure } from '../lib/budget';
import { buildLakehouse } from '../lib/lakehouse-app';
import { cliContext } from '../test/support/app-context';
import { runCommand } from './command';

export interface BudgetRow {
  readonly stack: string;
  readonly datasets: number;
  readonly values: Readonly<Record<Measure, number>>;
  /** More datasets of the largest kind the stack can take; undefined when it does not grow with datasets. */
  readonly canTake?: number;
}

/** `-c env=<name>` (as `cdk synth` takes it) or `--env <name>`; dev by default. */
export function parseBudgetArgs(argv: readonly string[]): EnvironmentName {
  let environment = 'dev';
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const value = arg === '-c' || arg === '--context' || arg === '--env' ? argv[++index] : arg.startsWith('--env=') ? arg.slice(6) : undefined;
    if (value === undefined) throw new Error(`unknown argument "${arg}"; usage: npm run budget -- -c env=<${ENVIRONMENT_NAMES.join('|')}>`);
    environment = value.startsWith('env=') ? value.slice(4) : arg === '--env' || arg.startsWith('--env=') ? value : fail(value);
  }
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(environment)) throw new Error(`unknown environment "${environment}"; use one of ${ENVIRONMENT_NAMES.join(', ')}`);
  return environment as EnvironmentName;
}

function fail(value: string): never {
  throw new Error(`unknown context "${value}"; usage: npm run budget -- -c env=<${ENVIRONMENT_NAMES.join('|')}>`);
}

/**
 * Synthesizes `environment` (cdk-nag and the built-in validation off: neither changes a template) and
 * measures every stack. The resource budget is reported here rather than thrown, so that a stack over
 * it still shows its numbers.
 */
export function budgetReport(environment: EnvironmentName, datasets?: readonly DatasetDefinition[]): { rows: BudgetRow[]; problems: BudgetProblem[] } {
  const app = new App({ context: { ...cliContext(), env: environment, '@aws-cdk/core:stackResourceLimit': 0 }, builtinCloudFormationValidation: false });
  const stacks = buildLakehouse(app, loadEnvironmentConfig(environment), { compliance: false, datasets, resourceBudget: false });
  const rows: BudgetRow[] = [];
  const problems: BudgetProblem[] = [];
  for (const stack of app.synth().stacks) {
    const usage = measureTemplate(stack.template as BudgetTemplate, stack.stackName);
    const contents = stacks.contents.get(stack.stackName) ?? { datasets: [] };
    rows.push({ stack: stack.stackName, datasets: contents.datasets.length, values: usage.values, canTake: datasetsItCanTake(usage, contents) });
    problems.push(...budgetProblems(stack.stackName, usage, contents));
  }
  return { rows, problems };
}

/** The report as a Markdown table: each value with its share of the budget. */
export function formatBudgetReport(environment: string, rows: readonly BudgetRow[]): string {
  const number = (value: number) => value.toLocaleString('en-US');
  const cell = (row: BudgetRow, measure: Measure) => `${number(row.values[measure])} (${Math.round((100 * row.values[measure]) / LIMITS[measure].budget)} %)`;
  const header = `| stack | datasets | ${MEASURES.map((measure) => `${LIMITS[measure].label} (budget ${number(LIMITS[measure].budget)})`).join(' | ')} | datasets it can still take |`;
  return [
    `Budget use of every ${environment} stack (budgets sit at 80 % of the hard limits; "can still take" counts streamed Parquet datasets with quality rules, the largest kind):`,
    '',
    header,
    `|---|---:|${MEASURES.map(() => '---:').join('|')}|---:|`,
    ...rows.map((row) => `| ${row.stack} | ${row.datasets} | ${MEASURES.map((measure) => cell(row, measure)).join(' | ')} | ${row.canTake === undefined ? 'does not grow with datasets' : number(row.canTake)} |`),
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const environment = parseBudgetArgs(argv);
  const { rows, problems } = budgetReport(environment);
  console.log(formatBudgetReport(environment, rows));
  if (problems.length === 0) return 0;
  console.error(`\n${problems.map((problem) => problem.message).join('\n')}`);
  return 1;
}

if (require.main === module) void runCommand('budget', main);
