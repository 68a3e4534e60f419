/**
 * PII discovery and the lake access trail composed from configuration (lib/privacy-audit.ts) onto the
 * app's real storage and network stacks, as PrivacyStack holds them but on a bare stack, so each section
 * can be switched on in any environment: synthesized with the four cdk-nag packs as plugins, linted with
 * cfn-lint, and checked with AWS Control Tower's rules.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import { privacyAccessTrailSchema, privacyDiscoverySchema } from '../../config/privacy-audit-schema';
import type { EnvironmentConfig } from '../../config/schema';
import type { EnvironmentName } from '../../config/limits';
import { DEFAULT_INTERFACE_ENDPOINTS } from '../../constructs/network/interface-endpoints';
import { PII_DISCOVERY_INTERFACE_ENDPOINTS } from '../../constructs/privacy';
import { applyCompliance } from '../../lib/compliance';
import { addPrivacyAudit, routePiiFindings, type PrivacyAuditSettings } from '../../lib/privacy-audit';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { StorageStack } from '../../lib/stacks/storage-stack';
import { judge } from '../../scripts/control-tower/judge';
import { CONTROL_TOWER_DECISIONS } from '../../scripts/control-tower/decisions';
import { readTemplate, runControlTowerRules } from '../../scripts/control-tower/run-guard';
import { cliContext, REPO_ROOT } from '../support/app-context';

function build(environment: EnvironmentName, settings: PrivacyAuditSettings) {
  const loaded = loadEnvironmentConfig(environment);
  // The network needs Macie's endpoint once discovery runs in the VPC.
  const config: EnvironmentConfig = { ...loaded, network: { ...loaded.network, interfaceEndpoints: [...new Set([...DEFAULT_INTERFACE_ENDPOINTS, ...PII_DISCOVERY_INTERFACE_ENDPOINTS])] } };
  const context = { ...cliContext(), env: config.name, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true };
  // cdk.out/<env> as `npm run synth:all` writes it: the guard script reads the environment from the folder name.
  const outdir = join(mkdtempSync(join(tmpdir(), 'privacy-audit-')), environment);
  const app = new App({ context, builtinCloudFormationValidation: false, outdir });
  applyCompliance(app);
  const env = config.account ? { account: config.account, region: config.region } : undefined;
  // `privacy` becomes a StackLayer on the privacy stack's branch; the name follows the same pattern.
  const name = (layer: string) => `${config.project}-${config.name}-${layer}`;
  const storage = new StorageStack(app, name('storage'), { env, config, datasets: DATASETS });
  const network = new NetworkStack(app, name('network'), { env, config, logsKey: storage.logsKey });
  const privacy = new Stack(app, name('privacy'), { env });
  const audit = addPrivacyAudit(privacy, { config, settings, storage, network });
  const operations = new Stack(app, name('operations'), { env });
  const topic = new sns.Topic(operations, 'AlarmTopic', { masterKey: storage.keys.notificationsKey, enforceSSL: true });
  const route = routePiiFindings(operations, audit, topic);
  let findings: string[] = [];
  try {
    app.synth();
  } catch (error) {
    if ((error as Error).name !== 'ValidationFailed' && !/Validation failed/i.test(String((error as Error).message))) throw error;
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
    };
    findings = report.pluginReports.flatMap((plugin) => plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
  }
  return { app, config, audit, route, findings, file: (stack: Stack) => join(app.outdir, `${stack.stackName}.template.json`), stacks: { storage, network, privacy, operations } };
}

const ALL_ON: PrivacyAuditSettings = { discovery: privacyDiscoverySchema.parse({}), accessTrail: privacyAccessTrailSchema.parse({}) };

const BUILT = { dev: build('dev', ALL_ON), prod: build('prod', ALL_ON) };
const guardFailures = (built: ReturnType<typeof build>) => runControlTowerRules([built.file(built.stacks.privacy), built.file(built.stacks.operations)]);

describe.each(['dev', 'prod'] as const)('privacy audit on the %s storage and network stacks', (environment) => {
  const built = BUILT[environment];

  it('raises no unacknowledged cdk-nag finding anywhere in the app', () => {
    expect(built.audit.discovery).toBeDefined();
    expect(built.audit.trail).toBeDefined();
    expect(built.route).toBeDefined();
    expect(built.findings).toEqual([]);
  });

  it('passes cfn-lint (I* rules included) on the privacy, operations and storage templates', () => {
    const files = [built.stacks.privacy, built.stacks.operations, built.stacks.storage].map(built.file);
    const lint = spawnSync('cfn-lint', ['--config-file', join(REPO_ROOT, '.cfnlintrc.yaml'), '--', ...files], { encoding: 'utf8' });
    expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
  });

  it('fails exactly the Control Tower controls the privacy decisions must list (cross-stack references the rules do not resolve, the DLQ)', () => {
    const failures = guardFailures(built).map((failure) => `${failure.control} ${failure.resource}`);
    const expected = [
      'CT.CLOUDWATCH.PR.3 <env>-privacy/LakeAccessTrail/LogGroup',
      'CT.CLOUDWATCH.PR.3 <env>-privacy/PiiDiscovery/FunctionLogs',
      'CT.CLOUDWATCH.PR.3 <env>-privacy/PiiDiscovery/ProviderLogs',
      'CT.LAMBDA.PR.3 <env>-privacy/PiiDiscovery/Function',
      'CT.LAMBDA.PR.3 <env>-privacy/PiiDiscovery/Provider/framework-onEvent',
      'CT.S3.PR.2 <env>-privacy/LakeAccessTrail/Bucket',
      'CT.SQS.PR.1 <env>-privacy/PiiDiscovery/DeadLetterQueue',
      // dev keeps its logs 30 days (logRetentionDays), as every platform log group there.
      ...(environment === 'dev'
        ? ['CT.CLOUDWATCH.PR.2 <env>-privacy/LakeAccessTrail/LogGroup', 'CT.CLOUDWATCH.PR.2 <env>-privacy/PiiDiscovery/FunctionLogs', 'CT.CLOUDWATCH.PR.2 <env>-privacy/PiiDiscovery/ProviderLogs']
        : []),
    ];
    expect([...new Set(failures)].sort()).toEqual(expected.sort());
  });

  it('the storage stack gains only key and log-bucket statements, and refers to no later stack', () => {
    const storage = JSON.parse(readFileSync(built.file(built.stacks.storage), 'utf8')) as object;
    expect(JSON.stringify(storage)).not.toMatch(/privacy|operations/);
    expect(built.stacks.storage.dependencies.map((stack) => stack.stackName)).toEqual([]);
  });
});

describe('the Control Tower decisions PII discovery and the trail bring (scripts/control-tower/decisions.ts)', () => {
  it('document every failure of the privacy templates in dev and prod, their cross-stack claims hold, and none of theirs is stale', () => {
    const failures = [...guardFailures(BUILT.dev), ...guardFailures(BUILT.prod)];
    const judgement = judge(failures, CONTROL_TOWER_DECISIONS, readTemplate);
    expect(judgement.undocumented.map(({ failure, why }) => `${failure.control} ${failure.resource} [${failure.environment}]: ${why}`)).toEqual([]);
    // Only these templates were judged: the other stacks' decisions match nothing here, by construction.
    const audit = /^<env>-privacy\/(PiiDiscovery|LakeAccessTrail)\//;
    expect(judgement.stale.filter(({ resource }) => audit.test(resource)).map(({ decision, resource }) => `${decision.control} ${resource}`)).toEqual([]);
    expect(judgement.documented.length).toBe(failures.length);
  });
});

describe('privacy audit switched off', () => {
  it('enabled false in both sections creates nothing (the dev opt-out)', () => {
    const off: PrivacyAuditSettings = { discovery: privacyDiscoverySchema.parse({ enabled: false }), accessTrail: privacyAccessTrailSchema.parse({ enabled: false }) };
    const built = build('dev', off);
    expect(built.audit).toEqual({ discovery: undefined, trail: undefined });
    expect(built.route).toBeUndefined();
    const template = JSON.parse(readFileSync(built.file(built.stacks.privacy), 'utf8')) as { Resources?: Record<string, { Type: string }> };
    expect(Object.values(template.Resources ?? {}).filter((resource) => resource.Type !== 'AWS::CDK::Metadata')).toEqual([]);
  });

  it('manageMacieSession false leaves out the session and the publishing frequency the construct would refuse', () => {
    const built = build('prod', { ...ALL_ON, discovery: privacyDiscoverySchema.parse({ manageMacieSession: false }) });
    expect(built.audit.discovery?.session).toBeUndefined();
    expect(built.findings).toEqual([]);
  });
});
