import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ipv4CidrProblem } from '../common/validators/cidr';
import { allowCloudWatchLogs, denyGrantsExceptForAwsResources } from '../keys/key-policies';
import { bedrockFoundationModels, cloudFormationResponseObjects, restrictDynamoDbEndpointToAccount, restrictGatewayEndpointToAccount, restrictInterfaceEndpointToAccount } from './endpoint-policies';
import {
  DEFAULT_INTERFACE_ENDPOINTS,
  INTERFACE_ENDPOINT_NAMES,
  INTERFACE_ENDPOINT_SERVICES,
  type InterfaceEndpointName,
} from './interface-endpoints';

/** Properties of {@link LakehouseNetwork}. */
export interface LakehouseNetworkProps {
  /**
   * The VPC's IPv4 range. Must be a literal: security-group rules are written with it, and cdk-nag's
   * port and CIDR rules cannot evaluate a token.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones to spread subnets over (2-3). An environment-agnostic stack only knows 2.
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways. With 0 every subnet is isolated and AWS is reached only through endpoints; with more,
   * public subnets hold the gateways and private subnets get egress.
   * @default 0
   */
  readonly natGateways?: number;
  /**
   * Interface endpoints to create, by short name.
   * @default DEFAULT_INTERFACE_ENDPOINTS (kms, sts, secretsmanager, logs, monitoring, glue, athena,
   * kinesis-streams, kinesis-firehose, lambda)
   */
  readonly interfaceEndpoints?: readonly InterfaceEndpointName[];
  /**
   * Keep the endpoints to this account: the S3 gateway endpoint admits only this account's buckets and
   * principals (plus `awsOwnedS3Objects`), every interface endpoint only this account's principals and
   * resources. Turning it off leaves AWS's default "full access" policies (an exfiltration path).
   * @default true
   */
  readonly restrictEndpointsToAccount?: boolean;
  /**
   * AWS-owned S3 object ARNs the S3 gateway endpoint also admits (for example ECR's layer bucket, if you
   * run container images in the VPC).
   * @default - the CloudFormation custom-resource response bucket of the stack's region only
   */
  readonly awsOwnedS3Objects?: readonly string[];
  /**
   * Key that encrypts the flow-log group. Its policy must admit CloudWatch Logs.
   * @default - a new key with rotation on and a statement for CloudWatch Logs
   */
  readonly flowLogsKey?: kms.IKey;
  /**
   * How long flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Which traffic the flow log records.
   * @default ec2.FlowLogTrafficType.ALL
   */
  readonly flowLogTrafficType?: ec2.FlowLogTrafficType;
  /**
   * Removal policy of the flow-log group (and of the key, when this construct creates it).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Subnet group names; changing them replaces the subnets, so they are fixed here. */
const ISOLATED_SUBNETS = 'isolated';
const PRIVATE_SUBNETS = 'private';
const PUBLIC_SUBNETS = 'public';

/**
 * A VPC for a data platform: private subnets in 2-3 AZs with no NAT gateway by default, VPC flow logs
 * to a KMS-encrypted log group, the default security group stripped of its rules, an S3 gateway
 * endpoint, and interface endpoints for the AWS services the platform calls, reachable on 443 from
 * inside the VPC only, each with a policy that keeps traffic to this account's principals and resources.
 *
 * It refuses a token CIDR (see `cidr`), a CIDR with host bits set (EC2 would mask them and build another
 * network than the one written), and a NAT gateway count above the AZ count.
 */
export class LakehouseNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The VPC's IPv4 range, as a literal usable in security-group rules. */
  public readonly cidr: string;
  /** Subnets that workloads (databases, functions) go in: isolated, or private with egress when NAT is on. */
  public readonly workloadSubnets: ec2.SubnetSelection;
  /** The log group flow logs are delivered to. */
  public readonly flowLogGroup: logs.LogGroup;
  /** Key encrypting the flow-log group. */
  public readonly flowLogsKey: kms.IKey;
  /** The VPC flow log. */
  public readonly flowLog: ec2.FlowLog;
  /** The S3 gateway endpoint. */
  public readonly s3Endpoint: ec2.GatewayVpcEndpoint;
  /** The DynamoDB gateway endpoint (free): the erasure request table is reached from isolated subnets. */
  public readonly dynamoDbEndpoint: ec2.GatewayVpcEndpoint;
  /** Security group of every interface endpoint: 443 from the VPC range only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Interface endpoints by short name. */
  public readonly interfaceEndpoints: Readonly<Partial<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>>>;

  constructor(scope: Construct, id: string, props: LakehouseNetworkProps = {}) {
    super(scope, id);
    const cidr = props.cidr ?? '10.0.0.0/16';
    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? 0;
    const endpointNames = props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const flowLogRetention = props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR;
    const flowLogTrafficType = props.flowLogTrafficType ?? ec2.FlowLogTrafficType.ALL;

    const prefix = validateCidr(cidr);
    if (!Number.isInteger(maxAzs) || maxAzs < 2 || maxAzs > 3) {
      throw new Error(`${this.node.path}: maxAzs must be 2 or 3, got ${maxAzs}`);
    }
    if (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > maxAzs) {
      throw new Error(`${this.node.path}: natGateways must be between 0 and maxAzs (${maxAzs}), got ${natGateways}`);
    }
    for (const name of endpointNames) {
      if (!INTERFACE_ENDPOINT_NAMES.includes(name)) {
        throw new Error(`${this.node.path}: unknown interface endpoint "${name}"; known: ${INTERFACE_ENDPOINT_NAMES.join(', ')}`);
      }
    }
    this.cidr = cidr;

    // Fixed masks keep the workload subnets' ranges stable when the AZ count changes (an even split
    // would move every subnet, and with it anything placed in them). Workload subnets come first so
    // that their ranges never depend on the public ones; 3 × /prefix+3 plus 3 × /prefix+4 fit the VPC.
    const subnetConfiguration: ec2.SubnetConfiguration[] =
      natGateways === 0
        ? [{ name: ISOLATED_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: prefix + 3 }]
        : [
            { name: PRIVATE_SUBNETS, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + 3 },
            { name: PUBLIC_SUBNETS, subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix + 4, mapPublicIpOnLaunch: false },
          ];
    this.workloadSubnets = {
      subnetType: natGateways === 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      subnetConfiguration,
      // The default security group allows all traffic between its members; strip its rules so that
      // nothing can rely on it (cdk-nag VPCDefaultSecurityGroupClosed).
      restrictDefaultSecurityGroup: true,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });

    if (props.flowLogsKey) {
      this.flowLogsKey = props.flowLogsKey;
    } else {
      const key = new kms.Key(this, 'FlowLogsKey', {
        description: 'VPC flow logs',
        enableKeyRotation: true,
        removalPolicy,
      });
      allowCloudWatchLogs(key);
      denyGrantsExceptForAwsResources(key);
      this.flowLogsKey = key;
    }

    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: this.flowLogsKey,
      retention: flowLogRetention,
      removalPolicy,
    });
    this.flowLog = this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: flowLogTrafficType,
    });

    this.s3Endpoint = this.vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.workloadSubnets],
    });
    const restrict = props.restrictEndpointsToAccount ?? true;
    if (restrict) {
      restrictGatewayEndpointToAccount(this.s3Endpoint, props.awsOwnedS3Objects ?? [cloudFormationResponseObjects(Stack.of(this))]);
    }

    this.dynamoDbEndpoint = this.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [this.workloadSubnets],
    });
    if (restrict) restrictDynamoDbEndpointToAccount(this.dynamoDbEndpoint);

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    // A literal CIDR and port: cdk-nag cannot evaluate tokens in security-group rules.
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');

    const endpoints: Partial<Record<InterfaceEndpointName, ec2.InterfaceVpcEndpoint>> = {};
    for (const name of endpointNames) {
      endpoints[name] = this.vpc.addInterfaceEndpoint(endpointId(name), {
        service: INTERFACE_ENDPOINT_SERVICES[name],
        subnets: this.workloadSubnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
      if (restrict) restrictInterfaceEndpointToAccount(endpoints[name]!, name === 'bedrock-runtime' ? bedrockFoundationModels(Stack.of(this)) : undefined);
    }
    this.interfaceEndpoints = endpoints;
  }
}

/** Returns the prefix length of a literal IPv4 CIDR, or throws saying what is wrong. */
function validateCidr(cidr: string): number {
  if (Token.isUnresolved(cidr)) {
    throw new Error('LakehouseNetwork: cidr must be a literal such as 10.0.0.0/16, not a token');
  }
  const problem = ipv4CidrProblem(cidr);
  const prefix = Number(cidr.split('/')[1]);
  if (problem !== undefined && problem.startsWith('has host bits')) throw new Error(`LakehouseNetwork: cidr "${cidr}" ${problem}`);
  if (problem !== undefined || prefix < 16 || prefix > 24) {
    throw new Error(`LakehouseNetwork: cidr must be an IPv4 CIDR with a prefix between /16 and /24, got "${cidr}"`);
  }
  return prefix;
}

/** `kinesis-streams` → `KinesisStreamsEndpoint`: stable construct IDs per endpoint. */
function endpointId(name: InterfaceEndpointName): string {
  return `${name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Endpoint`;
}
