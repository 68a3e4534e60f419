import type { ShardedLayer } from '../naming';
import { PER_DATASET_COST } from './costs';
import { LIMITS, MEASURES, type Measure } from './limits';
import type { StackUsage } from './measure';

/** What a stack holds, for advice: its layer and shard (sharded layers only) and its datasets there. */
export interface StackContents {
  readonly layer?: ShardedLayer;
  readonly shard?: string;
  /** Datasets with resources in this stack, in declaration order. */
  readonly datasets: readonly string[];
}

/** One stack over one budget. */
export interface BudgetProblem {
  readonly stack: string;
  readonly measure: Measure;
  readonly value: number;
  readonly message: string;
}

/** Thrown when any stack is over a budget: every problem, one line each, before anything is deployed. */
export class BudgetExceededError extends Error {
  constructor(readonly problems: readonly BudgetProblem[]) {
    super(`Over budget (nothing was deployed; CloudFormation would refuse or nearly refuse these stacks):\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'BudgetExceededError';
  }
}

const number = (value: number) => value.toLocaleString('en-US');

/** How many more datasets like the largest kind the stack can take before its first budget; undefined when it does not grow with datasets. */
export function datasetsItCanTake(usage: StackUsage, contents: StackContents): number | undefined {
  if (!contents.layer) return undefined;
  const cost = PER_DATASET_COST[contents.layer];
  const room = MEASURES.filter((measure) => (cost[measure] ?? 0) > 0).map((measure) =>
    Math.floor((LIMITS[measure].budget - usage.values[measure]) / cost[measure]!),
  );
  return Math.max(0, Math.min(...room));
}

/** Every budget `usage` exceeds, with a message naming the stack, the measure and what to do. */
export function budgetProblems(stack: string, usage: StackUsage, contents: StackContents): BudgetProblem[] {
  return MEASURES.filter((measure) => usage.values[measure] > LIMITS[measure].budget).map((measure) => {
    const value = usage.values[measure];
    const limit = LIMITS[measure];
    const named: Partial<Record<Measure, string>> = { policySize: usage.largestPolicy, alarmRuleLength: usage.longestAlarmRule, lifecycleRules: usage.mostLifecycleRules, lambdaEnvironment: usage.largestEnvironment };
    const resource = named[measure];
    const where = resource ? ` (${resource})` : '';
    const over = `Stack ${stack} is over its budget of ${limit.label}${where}: ${number(value)} of ${number(limit.budget)} (${limit.enforcedBy}: ${number(limit.hard)}).`;
    return { stack, measure, value, message: `${over} ${advice(measure, value, contents)}` };
  });
}

function advice(measure: Measure, value: number, contents: StackContents): string {
  const cost = contents.layer ? (PER_DATASET_COST[contents.layer][measure] ?? 0) : 0;
  if (measure === 'lifecycleRules') {
    return (
      'Each dataset with a retention in a zone adds two rules to its bucket (its prefix and its error prefix): ' +
      'declare some datasets in another zone, or leave their retention unset.'
    );
  }
  if (!contents.layer || contents.datasets.length === 0 || cost === 0) {
    return measure === 'policySize' || measure === 'alarmRuleLength'
      ? 'It does not grow with datasets here: reduce what that resource covers (fewer personas, zones or alarms in one rule).'
      : 'It does not grow with datasets: reduce what the environment configures for it.';
  }
  const move = Math.min(contents.datasets.length, Math.ceil((value - LIMITS[measure].budget) / cost));
  const examples = contents.datasets.slice(-Math.min(move, 5)).join(', ');
  return (
    `Move ${move} of its ${contents.datasets.length} datasets to another shard: pin datasets that are not deployed yet with ` +
    `\`shard: '<name>'\` in their contracts (the last declared here: ${examples}), or move deployed ones with a stack ` +
    'refactoring (README, "Moving a dataset to another shard").'
  );
}
