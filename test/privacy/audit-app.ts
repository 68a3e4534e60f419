import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformKeys } from '../../constructs/keys';
import { LakehouseNetwork } from '../../constructs/network';
import { LakeAccessTrail, PII_DISCOVERY_INTERFACE_ENDPOINTS, PiiDiscovery, PiiFindingsRoute, type LakeAccessTrailProps, type PiiDiscoveryProps } from '../../constructs/privacy';
import { DataLakeStorage } from '../../constructs/storage';
import { applyCompliance } from '../../lib/compliance';
import { cliContext } from '../support/app-context';

export interface AuditApp {
  readonly app: App;
  readonly storage: DataLakeStorage;
  readonly keys: PlatformKeys;
  readonly discovery: PiiDiscovery;
  readonly trail: LakeAccessTrail;
  readonly route: PiiFindingsRoute;
  readonly stacks: { readonly storage: Stack; readonly privacy: Stack; readonly operations: Stack };
  /** cdk-nag findings of the synth (rule at construct path); [] when it passed. */
  readonly findings: string[];
  /** Synthesized templates by stack name. */
  template(stack: 'Storage' | 'Privacy' | 'Operations'): Template;
  templateFile(stack: 'Storage' | 'Privacy' | 'Operations'): string;
}

export interface AuditAppOptions {
  readonly discovery?: Partial<PiiDiscoveryProps>;
  readonly trail?: Partial<LakeAccessTrailProps>;
  /** Concrete account and region (as staging and prod have). @default environment-agnostic, as dev */
  readonly env?: { account: string; region: string };
  /** Change something after the constructs exist and before the synth (a canary for the packs). */
  readonly beforeSynth?: (built: { discovery: PiiDiscovery; trail: LakeAccessTrail }) => void;
}

/**
 * The privacy audit constructs laid out as the app lays them out: keys and zone buckets in a storage
 * stack, discovery and the trail in a privacy stack, the alarm topic and the findings route in an
 * operations stack deployed last. Synthesized for real with the four cdk-nag packs as validation
 * plugins (the path `cdk synth` takes), so acknowledgements are judged as the app's are.
 */
export function synthAuditApp(options: AuditAppOptions = {}): AuditApp {
  // With the metadata `cdk synth` writes (cfn-lint reads it, as `npm run lint:cfn` does on the app's templates).
  const context = { ...cliContext(), 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true };
  const app = new App({ context, builtinCloudFormationValidation: false, outdir: mkdtempSync(join(tmpdir(), 'privacy-audit-')) });
  applyCompliance(app);
  const env = options.env;
  const storageStack = new Stack(app, 'Storage', { env });
  const keys = new PlatformKeys(storageStack, 'Keys');
  const storage = new DataLakeStorage(storageStack, 'DataLake', { encryptionKey: keys.lakeKey });

  const privacy = new Stack(app, 'Privacy', { env });
  // The platform's network, with the endpoints discovery needs, so the whole app is judged by the packs.
  const network = new LakehouseNetwork(privacy, 'Network', { flowLogsKey: keys.logsKey, interfaceEndpoints: [...PII_DISCOVERY_INTERFACE_ENDPOINTS] });
  const vpc = network.vpc;
  const zoneBuckets = [...storage.zoneBuckets.values()];
  const discovery = new PiiDiscovery(privacy, 'PiiDiscovery', {
    buckets: zoneBuckets,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    logsKey: keys.logsKey,
    ...options.discovery,
  });
  const trail = new LakeAccessTrail(privacy, 'LakeAccessTrail', {
    buckets: zoneBuckets,
    accessLogsBucket: storage.accessLogsBucket,
    logsKey: keys.logsKey,
    ...options.trail,
  });

  const operations = new Stack(app, 'Operations', { env });
  const topic = new sns.Topic(operations, 'AlarmTopic', { masterKey: keys.notificationsKey, enforceSSL: true });
  const route = new PiiFindingsRoute(operations, 'PiiFindings', { pattern: discovery.findingPattern, topic });

  options.beforeSynth?.({ discovery, trail });
  let findings: string[] = [];
  try {
    app.synth();
  } catch (error) {
    if (!/Validation failed/i.test(String((error as Error).message)) && (error as Error).name !== 'ValidationFailed') throw error;
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
    };
    findings = report.pluginReports.flatMap((plugin) => plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
  }
  const templateFile = (name: string) => join(app.outdir, `${name}.template.json`);
  return {
    app,
    storage,
    keys,
    discovery,
    trail,
    route,
    stacks: { storage: storageStack, privacy, operations },
    findings,
    template: (name) => Template.fromJSON(JSON.parse(readFileSync(templateFile(name), 'utf8')) as Record<string, unknown>),
    templateFile,
  };
}
