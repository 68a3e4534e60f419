import { Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { EventCollector, QUARANTINE_DATASET_NAME, type CollectorTarget } from '../../constructs/collector';
import type { DatasetDefinition } from '../../constructs/datasets';
import { streamName } from '../naming';
import { statefulRemoval } from '../removal';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';

/** The dataset refused events go to (config/datasets/collector-quarantine.ts). */
export const QUARANTINE_DATASET = QUARANTINE_DATASET_NAME;

export interface CollectorStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Every dataset of the environment (the collector's sources name some of them). */
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  /**
   * The ingestion stacks (base and shards) holding the streams written: the collector names the streams
   * (their names are deterministic), so it depends on these stacks without importing from them.
   */
  readonly ingestionStacks: readonly Stack[];
}

/**
 * `<project>-<env>-collector`: the HTTP collector (EventCollector), after ingestion. It reads the streams by
 * name from whichever ingestion shard holds them and the keys and VPC from storage and network; nothing
 * reads it except operations (its metrics). Stateless apart from its log groups.
 */
export class CollectorStack extends Stack {
  public readonly collector: EventCollector;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { config, storage, network } = props;
    const settings = config.collector;
    const removal = statefulRemoval(config);
    const byName = new Map(props.datasets.map((dataset) => [dataset.name, dataset]));
    const target = (name: string): CollectorTarget => {
      const definition = byName.get(name);
      // lib/input-validation.ts has refused unknown datasets already.
      if (!definition) throw new Error(`collector: dataset "${name}" is not declared`);
      const stream = kinesis.Stream.fromStreamAttributes(this, `Stream-${name}`, {
        streamArn: this.formatArn({ service: 'kinesis', resource: 'stream', resourceName: streamName(config.project, config.name, name) }),
        encryptionKey: storage.keys.streamKey,
      });
      return { definition, stream };
    };
    const written = [...new Set(settings.sources.flatMap((source) => source.datasets))];

    this.collector = new EventCollector(this, 'Collector', {
      vpc: network.network.vpc,
      vpcSubnets: network.network.workloadSubnets,
      vpcCidr: network.network.cidr,
      datasets: written.map(target),
      quarantine: target(QUARANTINE_DATASET),
      sources: settings.sources.map((source) => ({ name: source.name, writeKeySecret: importSecret(this, source.name, source.writeKeySecret), datasets: source.datasets })),
      streamKey: storage.keys.streamKey,
      logsKey: storage.logsKey,
      allowedOrigins: settings.allowedOrigins,
      limits: settings.limits,
      privacy: settings.privacy,
      keyCacheSeconds: settings.keyCacheSeconds,
      throttling: settings.throttling,
      waf: { requestsPerIpPer5Minutes: settings.waf.requestsPerIpPer5Minutes, managedRules: settings.waf.managedCommonRules },
      reservedConcurrency: settings.reservedConcurrency,
      customDomain: settings.customDomain
        ? { domainName: settings.customDomain.domainName, certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', settings.customDomain.certificateArn) }
        : undefined,
      // The API Gateway logging role is account-wide, like the Lake Formation settings: one owner per account.
      accountLogRole: config.governance.ownsAccountSettings,
      name: id,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: removal.removalPolicy,
    });
    for (const stack of props.ingestionStacks) this.addStackDependency(stack, 'the collector writes to streams this stack creates');
  }
}

/**
 * A source's secret from its name or its complete ARN (the config refuses partial ARNs: one whose name
 * happens to end in `-` and six letters would read as complete and be granted without the suffix).
 */
function importSecret(scope: Construct, source: string, reference: string): secretsmanager.ISecret {
  const id = `WriteKeys-${source}`;
  return reference.startsWith('arn:') ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, reference) : secretsmanager.Secret.fromSecretNameV2(scope, id, reference);
}
