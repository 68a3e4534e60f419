/**
 * Third template validator: AWS Control Tower's proactive-control rules (cfn-guard 3, shipped by
 * @cdklabs/cdk-validator-cfnguard) over every synthesized template of every environment. Each failure
 * must be a documented decision (scripts/control-tower/decisions.ts, listed in docs/decisions.md).
 * Synthesizes first (scripts/synth-all.ts) unless `--skip-synth` is given (CI synthesizes once).
 * Usage: npm run lint:guard [-- --skip-synth]
 */
import { CONTROL_TOWER_DECISIONS } from './control-tower/decisions';
import { judge, type Judgement } from './control-tower/judge';
import { readTemplate, runControlTowerRules } from './control-tower/run-guard';
import { synthAll } from './synth-all';
import { synthesizedTemplates } from './synthesized-templates';

/** The gate's verdict as lines to print; `ok` when nothing undocumented and nothing stale. */
export function describeJudgement(judgement: Judgement): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  for (const { failure, why } of judgement.undocumented) {
    lines.push(`UNDOCUMENTED ${failure.control} (${failure.rule}) at ${failure.resource} [${failure.environment}, ${failure.stackName}/${failure.logicalId}]: ${why}`);
  }
  for (const { decision, resource } of judgement.stale) {
    lines.push(`STALE decision ${decision.control} at ${resource}: no failure matches it any more; remove it from scripts/control-tower/decisions.ts and docs/decisions.md`);
  }
  return { ok: judgement.undocumented.length === 0 && judgement.stale.length === 0, lines };
}

function main(): number {
  if (!process.argv.includes('--skip-synth')) synthAll();
  const templates = synthesizedTemplates('lint:guard');
  const started = process.hrtime.bigint();
  const failures = runControlTowerRules(templates);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const judgement = judge(failures, CONTROL_TOWER_DECISIONS, readTemplate);
  const { ok, lines } = describeJudgement(judgement);
  for (const line of lines) console.error(line);
  const summary = `${templates.length} templates, ${failures.length} control failures, ${judgement.documented.length} covered by documented decisions, ${judgement.undocumented.length} undocumented, ${judgement.stale.length} stale (cfn-guard ${seconds.toFixed(1)} s)`;
  console.log(`lint:guard: ${summary}`);
  return ok ? 0 : 1;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`lint:guard: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
