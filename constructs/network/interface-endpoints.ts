import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The AWS services a lakehouse reaches from inside an isolated VPC, by short name.
 * Isolated subnets have no route to the internet, so every AWS API a function or database in the
 * VPC calls needs an interface endpoint here (S3 uses the free gateway endpoint instead).
 */
export const INTERFACE_ENDPOINT_SERVICES = {
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  sts: ec2.InterfaceVpcEndpointAwsService.STS,
  secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  glue: ec2.InterfaceVpcEndpointAwsService.GLUE,
  athena: ec2.InterfaceVpcEndpointAwsService.ATHENA,
  'kinesis-streams': ec2.InterfaceVpcEndpointAwsService.KINESIS_STREAMS,
  'kinesis-firehose': ec2.InterfaceVpcEndpointAwsService.KINESIS_FIREHOSE,
  lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
  lakeformation: ec2.InterfaceVpcEndpointAwsService.LAKE_FORMATION,
  events: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  sns: ec2.InterfaceVpcEndpointAwsService.SNS,
  sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  states: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  rds: ec2.InterfaceVpcEndpointAwsService.RDS,
  backup: ec2.InterfaceVpcEndpointAwsService.BACKUP,
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  'bedrock-runtime': ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
  macie: ec2.InterfaceVpcEndpointAwsService.MACIE,
} as const satisfies Record<string, ec2.InterfaceVpcEndpointAwsService>;

export type InterfaceEndpointName = keyof typeof INTERFACE_ENDPOINT_SERVICES;

/** Every endpoint name the construct accepts. */
export const INTERFACE_ENDPOINT_NAMES = Object.keys(INTERFACE_ENDPOINT_SERVICES) as InterfaceEndpointName[];

/**
 * The endpoints created when none are configured: the data services this platform calls from the
 * VPC (key and credential services, logs and metrics, the catalog and query engine, streaming, Lambda
 * for the custom-resource provider frameworks, Step Functions for the waiter of the vector store's
 * bootstrap, Backup and RDS for the recovery evidence, and Bedrock's runtime for the embeddings pipeline). Each construct with functions in the VPC lists what it calls (`…_INTERFACE_ENDPOINTS`);
 * a test checks this default covers all of them.
 */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly InterfaceEndpointName[] = [
  'kms',
  'sts',
  'secretsmanager',
  'logs',
  'monitoring',
  'glue',
  'athena',
  'kinesis-streams',
  'kinesis-firehose',
  'lambda',
  'states',
  'backup',
  'rds',
  'bedrock-runtime',
];
