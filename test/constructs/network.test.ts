import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INTERFACE_ENDPOINTS, LakehouseNetwork } from '../../constructs/network';
import { constructStack } from '../support/construct-stack';

describe('LakehouseNetwork default settings', () => {
  const stack = constructStack();
  const network = new LakehouseNetwork(stack, 'Net');
  const template = Template.fromStack(stack);

  it('creates a 10.0.0.0/16 VPC with isolated subnets in 2 AZs, no NAT gateway and no internet gateway', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets.map((subnet) => subnet.Properties.CidrBlock)).toEqual(['10.0.0.0/19', '10.0.32.0/19']);
    for (const subnet of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::Route', 0);
  });

  it('records all traffic in flow logs, to a KMS-encrypted log group kept for a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', ResourceType: 'VPC', LogDestinationType: 'cloud-watch-logs' });
    const keyId = stack.getLogicalId(network.flowLogsKey.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('creates its own flow-log key with rotation, whose policy admits CloudWatch Logs for this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsInThisAccount',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('strips the default security group of its rules', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('adds S3 and DynamoDB gateway endpoints on the workload subnets', () => {
    const gateways = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(gateways.map((gateway) => gateway.Properties.ServiceName)).toEqual(
      ['s3', 'dynamodb'].map((service) => ({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] })),
    );
    const routeTables = Object.keys(template.findResources('AWS::EC2::RouteTable'));
    for (const gateway of gateways) expect(gateway.Properties.RouteTableIds.map((ref: { Ref: string }) => ref.Ref).sort()).toEqual(routeTables.sort());
  });

  it("admits only this account's principals on this account's tables through the DynamoDB endpoint", () => {
    const [dynamodb] = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway', ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] } } }));
    expect(dynamodb.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'dynamodb:*', Effect: 'Allow', Condition: { StringEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' }, 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } } }),
    ]);
  });

  it('adds the default bundle of interface endpoints with private DNS, behind the endpoint security group', () => {
    expect(DEFAULT_INTERFACE_ENDPOINTS).toEqual([
      'kms', 'sts', 'secretsmanager', 'logs', 'monitoring', 'glue', 'athena', 'kinesis-streams', 'kinesis-firehose', 'lambda', 'states', 'backup', 'rds', 'bedrock-runtime',
    ]);
    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(interfaces).toHaveLength(DEFAULT_INTERFACE_ENDPOINTS.length);
    const sgId = stack.getLogicalId(network.endpointSecurityGroup.node.defaultChild as any);
    for (const endpoint of interfaces) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    }
    expect(Object.keys(network.interfaceEndpoints)).toEqual([...DEFAULT_INTERFACE_ENDPOINTS]);
  });

  it('admits only HTTPS from the VPC range to the endpoints, with literal CIDR and port, and no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from inside the VPC' }],
      // allowAllOutbound: false renders CDK's placeholder rule that matches no traffic.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  it('retains the flow-log group and its key', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });
});

describe('LakehouseNetwork overrides', () => {
  it('with NAT gateways, adds public subnets for them and gives workload subnets egress', () => {
    const stack = constructStack({ account: '111111111111', region: 'eu-west-1' });
    const network = new LakehouseNetwork(stack, 'Net', { natGateways: 1, maxAzs: 3, cidr: '10.1.0.0/20' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    expect(network.vpc.privateSubnets).toHaveLength(3);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.1.0.0/20' })] });
  });

  it('uses a flow-log key and endpoint list it is given', () => {
    const stack = constructStack();
    const key = new kms.Key(stack, 'Mine');
    const network = new LakehouseNetwork(stack, 'Net', { flowLogsKey: key, interfaceEndpoints: ['kms', 'secretsmanager'] });
    expect(network.flowLogsKey).toBe(key);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    // Two interface endpoints and the S3 and DynamoDB gateways.
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });
});

describe('LakehouseNetwork refuses', () => {
  const build = (props: ConstructorParameters<typeof LakehouseNetwork>[2]) => () => new LakehouseNetwork(constructStack(), 'Net', props);
  it('a CIDR that is malformed or outside /16-/24', () => {
    expect(build({ cidr: '10.0.0/16' })).toThrow('cidr must be an IPv4 CIDR with a prefix between /16 and /24, got "10.0.0/16"');
    expect(build({ cidr: '10.0.0.0/8' })).toThrow('got "10.0.0.0/8"');
  });
  it('a CIDR with host bits set, which EC2 would silently move to its network address', () => {
    expect(build({ cidr: '10.0.1.0/16' })).toThrow('LakehouseNetwork: cidr "10.0.1.0/16" has host bits set: AWS would use the network 10.0.0.0/16 instead; write "10.0.0.0/16"');
  });
  it('more NAT gateways than AZs, and an AZ count outside 2-3', () => {
    expect(build({ natGateways: 3, maxAzs: 2 })).toThrow('natGateways must be between 0 and maxAzs (2), got 3');
    expect(build({ maxAzs: 1 })).toThrow('maxAzs must be 2 or 3, got 1');
  });
  it('an unknown endpoint name', () => {
    expect(build({ interfaceEndpoints: ['dynamo' as never] })).toThrow('unknown interface endpoint "dynamo"');
  });
});
