import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironmentConfig } from '../../config/load';
import type { EnvironmentName } from '../../config/limits';
import type { EnvironmentConfig } from '../../config/schema';
import type { DatasetDefinition } from '../../constructs/datasets';
import { buildLakehouse, type LakehouseStacks } from '../../lib/lakehouse-app';
import { cliContext } from './app-context';
import { runCached, runFolder } from './run-cache';

export type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: any; DependsOn?: any }>;
  Outputs?: Record<string, unknown>;
  [section: string]: unknown;
};

export interface SynthOptions {
  /** aws-cdk-lib's built-in CloudFormation validation (slow); off by default in tests. */
  readonly builtinValidation?: boolean;
  /** Register the cdk-nag packs as the app does. Default true, as in `cdk synth`. */
  readonly compliance?: boolean;
  /** Datasets instead of the shipped ones (shard stacks, budgets). */
  readonly datasets?: readonly DatasetDefinition[];
  /** A hook to add constructs before synthesis (the nag canary uses it). */
  readonly extend?: (app: App, stacks: LakehouseStacks) => void;
  /** Where the cloud assembly goes. Default: a fresh folder under the test run's folder. */
  readonly outdir?: string;
}

export interface SynthesizedEnvironment {
  readonly config: EnvironmentConfig;
  readonly app: App;
  readonly stacks: LakehouseStacks;
  readonly assembly: CloudAssembly;
  /** Templates by stack name. */
  readonly templates: Record<string, Template>;
}

/**
 * Cloud assemblies go under the test run's folder (test/support/global-setup.ts removes it); outside
 * vitest (scripts, benchmarks) under a folder removed when the process exits.
 */
let outdirRoot: string | undefined;
function outdir(envName: string): string {
  if (!outdirRoot) {
    const runRoot = process.env.LAKEHOUSE_SYNTH_ROOT;
    if (runRoot) {
      outdirRoot = runRoot;
    } else {
      const root = mkdtempSync(join(tmpdir(), 'lakehouse-synth-'));
      outdirRoot = root;
      process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    }
  }
  mkdirSync(outdirRoot, { recursive: true });
  return mkdtempSync(join(outdirRoot, `${envName}-`));
}

/** Builds the app for `envName` exactly as bin/app.ts does, with the CLI's context, without synthesizing. */
export function buildEnvironment(envName: EnvironmentName, options: SynthOptions = {}) {
  return buildFromConfig(loadEnvironmentConfig(envName), options);
}

/** Builds the app for an already validated config (for variations of the shipped ones). */
export function buildFromConfig(config: EnvironmentConfig, options: SynthOptions = {}) {
  const envName = config.name;
  const app = new App({
    context: { ...cliContext(), env: envName },
    outdir: options.outdir ?? outdir(envName),
    builtinCloudFormationValidation: options.builtinValidation ?? false,
  });
  const stacks = buildLakehouse(app, config, { compliance: options.compliance ?? true, datasets: options.datasets });
  options.extend?.(app, stacks);
  return { config, app, stacks };
}

/** Synthesizes `envName` in-process (throws as `cdk synth` would on an unacknowledged finding). */
export function synthEnvironment(envName: EnvironmentName, options: SynthOptions = {}): SynthesizedEnvironment {
  const { config, app, stacks } = buildEnvironment(envName, options);
  const assembly = app.synth();
  const templates: Record<string, Template> = {};
  for (const stack of assembly.stacks) templates[stack.stackName] = stack.template as Template;
  return { config, app, stacks, assembly, templates };
}

const cache = new Map<EnvironmentName, SynthesizedEnvironment>();

/**
 * `synthEnvironment` with default options, synthesized once per test run: the first test process that
 * needs an environment synthesizes it into the run folder and every other one reads that cloud assembly
 * (the same `CloudAssembly` that `app.synth()` returns, which reads the folder too). A synth that throws
 * (an unacknowledged nag finding) throws the same error name and message in every file that asks.
 * `app` and `stacks` are built on first access, unsynthesized, for the tests that need the construct tree.
 * Outside vitest, and within one test file, an in-process memo.
 */
export function synthCached(envName: EnvironmentName): SynthesizedEnvironment {
  let result = cache.get(envName);
  if (!result) {
    result = runFolder() ? readShared(envName, sharedAssemblyFolder(envName)) : synthEnvironment(envName);
    cache.set(envName, result);
  }
  return result;
}

/** Drops the in-process memo (test/support/setup.ts, after each file): no file sees another's objects. */
export function forgetSynthesized(): void {
  cache.clear();
}

/** The folder of `envName`'s shared cloud assembly (see synthCached), synthesized if this run has none yet. */
export function sharedAssemblyFolder(envName: EnvironmentName): string {
  return runCached(`assembly-${envName}`, (folder) => {
    buildEnvironment(envName, { outdir: folder }).app.synth();
  });
}

function readShared(envName: EnvironmentName, folder: string): SynthesizedEnvironment {
  const config = loadEnvironmentConfig(envName);
  const assembly = new CloudAssembly(folder);
  const templates: Record<string, Template> = {};
  for (const stack of assembly.stacks) templates[stack.stackName] = stack.template as Template;
  let built: { app: App; stacks: LakehouseStacks } | undefined;
  const build = () => (built ??= buildEnvironment(envName));
  return {
    config,
    assembly,
    templates,
    get app() {
      return build().app;
    },
    get stacks() {
      return build().stacks;
    },
  };
}

/** Every resource of `type` in a template, with its logical ID. */
export function resourcesOfType(template: Template, type: string) {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, ...resource }));
}
