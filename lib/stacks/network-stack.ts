import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/schema';
import { LakehouseNetwork } from '../../constructs/network';
import { environmentInterfaceEndpoints } from '../interface-endpoints';
import { statefulRemoval } from '../removal';

export interface NetworkStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The platform's logs key (storage stack), for the flow-log group. */
  readonly logsKey: kms.IKey;
}

/** The VPC, its flow logs and endpoints. Stateless: redeploy it freely. */
export class NetworkStack extends Stack {
  public readonly network: LakehouseNetwork;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, { ...props, terminationProtection: statefulRemoval(props.config).terminationProtection });
    const { network } = props.config;
    this.network = new LakehouseNetwork(this, 'Network', {
      cidr: network.cidr,
      maxAzs: network.maxAzs,
      natGateways: network.natGateways,
      // The configured list, or the default plus what enabled features need (Macie for PII discovery).
      interfaceEndpoints: environmentInterfaceEndpoints(props.config),
      flowLogsKey: props.logsKey,
      flowLogRetention: network.flowLogRetentionDays as logs.RetentionDays,
      removalPolicy: statefulRemoval(props.config).removalPolicy,
    });
  }
}
