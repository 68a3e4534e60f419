import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentName } from '../../config/limits';
import { RunCacheError, runFolder } from './run-cache';
import { buildEnvironment, sharedAssemblyFolder, type SynthOptions } from './synth';

/** One unacknowledged cdk-nag finding, as the validation report lists it. */
export interface NagFinding {
  readonly pack: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
  readonly description: string;
}

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      description: string;
      severity: string;
      violatingConstructs: Array<{ constructPath: string }>;
    }>;
  }>;
}

/**
 * Synthesizes `envName` the way `cdk synth` does, with the packs registered as validation plugins by
 * the app itself, and returns every finding the synth reported. A clean synth returns [].
 */
export function nagFindings(envName: EnvironmentName, options: Omit<SynthOptions, 'compliance'> = {}): NagFinding[] {
  // With default options this is the synth synthCached shares (compliance on, same context): reuse it.
  const shared = runFolder() !== undefined && Object.keys(options).length === 0;
  let outdir: string | undefined;
  try {
    if (shared) {
      outdir = sharedAssemblyFolder(envName);
    } else {
      const { app } = buildEnvironment(envName, { ...options, compliance: true });
      outdir = app.outdir;
      app.synth();
    }
    return [];
  } catch (error) {
    if ((error as Error).name !== 'ValidationFailed' && !/Validation failed/.test(String((error as Error).message))) throw error;
    if (error instanceof RunCacheError) outdir = error.directory;
  }
  if (!outdir) throw new Error('unreachable: a failed synth without an output folder');
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => ({
        pack: plugin.pluginName,
        rule: violation.ruleName,
        severity: violation.severity,
        constructPath: construct.constructPath,
        description: violation.description,
      })),
    ),
  );
}

export function describeFinding(finding: NagFinding): string {
  return `${finding.rule} at ${finding.constructPath}: ${finding.description}`;
}
