import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig } from '../../config/load';
import type { EnvironmentConfig } from '../../config/schema';
import { RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS } from '../../constructs/backup';
import { ICEBERG_DDL_INTERFACE_ENDPOINTS } from '../../constructs/catalog';
import { DATA_QUALITY_INTERFACE_ENDPOINTS } from '../../constructs/data-quality';
import { DEFAULT_INTERFACE_ENDPOINTS, type InterfaceEndpointName } from '../../constructs/network/interface-endpoints';
import { VECTOR_STORE_INTERFACE_ENDPOINTS } from '../../constructs/vector-store';
import { EMBEDDINGS_INTERFACE_ENDPOINTS } from '../../constructs/embeddings';
import { PII_DISCOVERY_INTERFACE_ENDPOINTS } from '../../constructs/privacy';
import { PRIVACY_INTERFACE_ENDPOINTS } from '../../constructs/privacy';
import { ERASURE_HANDLERS } from '../../constructs/privacy/erasure-function';
import { endpointProblems, requiredInterfaceEndpoints } from '../../lib/input-validation';
import { environmentInterfaceEndpoints } from '../../lib/interface-endpoints';
import { REPO_ROOT } from '../support/app-context';
import { moduleClosure } from '../support/sdk-calls';

/** The interface endpoint each AWS SDK client a handler may import talks to. */
const ENDPOINT_OF_CLIENT: Record<string, InterfaceEndpointName> = {
  athena: 'athena',
  glue: 'glue',
  cloudwatch: 'monitoring',
  'secrets-manager': 'secretsmanager',
  kms: 'kms',
  sts: 'sts',
  'cloudwatch-logs': 'logs',
  lakeformation: 'lakeformation',
  sfn: 'states',
  lambda: 'lambda',
  backup: 'backup',
  rds: 'rds',
  'bedrock-runtime': 'bedrock-runtime',
  macie2: 'macie',
};

/** Clients served without an interface endpoint: S3 and DynamoDB through the VPC's gateway endpoints. */
const GATEWAY_CLIENTS = new Set(['s3', 'dynamodb']);

/** The SDK clients of a handler and of every repo module it imports (a client imported by a shared module counts). */
function sdkClientsOf(file: string): string[] {
  const sources = moduleClosure(file).map((path) => readFileSync(path, 'utf8'));
  return [...new Set(sources.flatMap((source) => [...source.matchAll(/from '@aws-sdk\/client-([a-z0-9-]+)'/g)].map((match) => match[1])))];
}

/** Each construct that puts functions in the VPC, its handler and its declared endpoints. */
const IN_VPC = [
  { construct: 'constructs/catalog/iceberg/iceberg-tables.ts', handler: 'constructs/catalog/iceberg/handler.ts', declared: ICEBERG_DDL_INTERFACE_ENDPOINTS },
  { construct: 'constructs/data-quality/data-quality.ts', handler: 'constructs/data-quality/handler.ts', declared: DATA_QUALITY_INTERFACE_ENDPOINTS },
  { construct: 'constructs/vector-store/vector-store.ts', handler: 'constructs/vector-store/handler.ts', declared: VECTOR_STORE_INTERFACE_ENDPOINTS },
  { construct: 'constructs/backup/recovery-evidence.ts', handler: 'constructs/backup/recovery-point-age/handler.ts', declared: RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS },
  { construct: 'constructs/backup/recovery-evidence.ts', handler: 'constructs/backup/restore-evidence/handler.ts', declared: RECOVERY_EVIDENCE_INTERFACE_ENDPOINTS },
  { construct: 'constructs/embeddings/embeddings-pipeline.ts', handler: 'constructs/embeddings/handler.ts', declared: EMBEDDINGS_INTERFACE_ENDPOINTS },
  { construct: 'constructs/privacy/pii-discovery.ts', handler: 'constructs/privacy/discovery-job/handler.ts', declared: PII_DISCOVERY_INTERFACE_ENDPOINTS },
  ...ERASURE_HANDLERS.map((name) => ({ construct: 'constructs/privacy/privacy-erasure.ts', handler: `constructs/privacy/handlers/${name}.ts`, declared: PRIVACY_INTERFACE_ENDPOINTS })),
];

/** The interface endpoints a handler's clients need (S3 and DynamoDB go through gateways). */
const endpointsOf = (handler: string) => sdkClientsOf(handler).filter((name) => !GATEWAY_CLIENTS.has(name)).map((name) => ENDPOINT_OF_CLIENT[name]);

describe('interface endpoints are derived from what the in-VPC functions call', () => {
  it.each(IN_VPC)('$construct declares an endpoint for every SDK client of $handler', ({ handler, declared }) => {
    const clients = sdkClientsOf(handler);
    expect(clients.length).toBeGreaterThan(0);
    for (const client of clients.filter((name) => !GATEWAY_CLIENTS.has(name))) {
      expect(ENDPOINT_OF_CLIENT[client], `no endpoint known for @aws-sdk/client-${client}`).toBeDefined();
      expect(declared).toContain(ENDPOINT_OF_CLIENT[client]);
    }
  });

  it.each([...new Set(IN_VPC.map((entry) => entry.construct))])('%s declares no endpoint its functions do not call (lambda and states only for a provider framework)', (construct) => {
    const called = new Set(IN_VPC.filter((entry) => entry.construct === construct).flatMap((entry) => endpointsOf(entry.handler)));
    const source = readFileSync(join(REPO_ROOT, construct), 'utf8');
    if (/new cr\.Provider\(/.test(source)) called.add('lambda');
    if (/isCompleteHandler:/.test(source)) called.add('states');
    const declared = IN_VPC.find((entry) => entry.construct === construct)!.declared;
    expect([...declared].filter((endpoint) => !called.has(endpoint))).toEqual([]);
  });

  it.each(IN_VPC)('$construct declares lambda for a provider framework in the VPC, and states for its waiter', ({ construct, declared }) => {
    const source = readFileSync(join(REPO_ROOT, construct), 'utf8');
    if (/new cr\.Provider\(/.test(source)) expect(declared).toContain('lambda');
    if (/isCompleteHandler:/.test(source)) expect(declared).toContain('states');
  });

  it('the default endpoint list covers everything the product deploys', () => {
    const required = [...requiredInterfaceEndpoints(DATASETS, { embeddings: true, collector: true, privacy: true }).keys()];
    expect(required.sort()).toEqual(['athena', 'backup', 'bedrock-runtime', 'glue', 'kinesis-streams', 'lambda', 'monitoring', 'rds', 'secretsmanager', 'states']);
    for (const endpoint of required) expect(DEFAULT_INTERFACE_ENDPOINTS).toContain(endpoint);
    expect(endpointProblems(loadEnvironmentConfig('dev'), DATASETS)).toEqual([]);
  });

  it('only the vector store and the recovery evidence are required without Iceberg or quality datasets and without embeddings', () => {
    const plain = DATASETS.filter((dataset) => dataset.format === 'parquet' && dataset.name !== 'data_quality_results');
    expect([...requiredInterfaceEndpoints(plain, { embeddings: false }).keys()].sort()).toEqual(['backup', 'lambda', 'monitoring', 'rds', 'secretsmanager', 'states']);
    expect([...requiredInterfaceEndpoints(plain, { embeddings: true }).keys()].sort()).toEqual(['backup', 'bedrock-runtime', 'lambda', 'monitoring', 'rds', 'secretsmanager', 'states']);
  });

  it('an explicit list without bedrock-runtime is refused while the embeddings pipeline is on, and accepted when it is off', () => {
    const dev = loadEnvironmentConfig('dev');
    const listed: InterfaceEndpointName[] = DEFAULT_INTERFACE_ENDPOINTS.filter((name) => name !== 'bedrock-runtime');
    const on: EnvironmentConfig = { ...dev, network: { ...dev.network, interfaceEndpoints: listed } };
    expect(endpointProblems(on, DATASETS).map((problem) => problem.allowed)).toEqual([
      'lacks "bedrock-runtime" (called by the embeddings consumers): functions in isolated subnets have no other route to these services; add them, or remove the list to get the defaults',
    ]);
    expect(endpointProblems({ ...on, embeddings: { ...dev.embeddings, enabled: false } }, DATASETS)).toEqual([]);
  });

  it('the HTTP collector adds Kinesis and Secrets Manager, and only when enabled', () => {
    const plain = DATASETS.filter((dataset) => dataset.format === 'parquet' && dataset.name !== 'data_quality_results');
    const off = { embeddings: false, collector: false };
    expect([...requiredInterfaceEndpoints(plain, { ...off, collector: true }).keys()].sort()).toEqual(['backup', 'kinesis-streams', 'lambda', 'monitoring', 'rds', 'secretsmanager', 'states']);
    expect([...requiredInterfaceEndpoints(plain, off).keys()]).not.toContain('kinesis-streams');
    expect(requiredInterfaceEndpoints(plain, { ...off, collector: true }).get('kinesis-streams')).toEqual(['the HTTP collector']);
  });

  it('PII discovery adds Macie (and Lambda for its provider), and only when enabled', () => {
    const plain = DATASETS.filter((dataset) => dataset.format === 'parquet' && dataset.name !== 'data_quality_results');
    const off = { embeddings: false, collector: false };
    expect([...requiredInterfaceEndpoints(plain, off).keys()]).not.toContain('macie');
    expect(requiredInterfaceEndpoints(plain, { ...off, privacyDiscovery: true }).get('macie')).toEqual(['the PII discovery job function']);
    expect(requiredInterfaceEndpoints(plain, { ...off, privacyDiscovery: true }).get('lambda')).toContain('the PII discovery job function');
  });

  it('the erasure workflow adds Secrets Manager, Step Functions and Athena, and only when enabled', () => {
    const plain = DATASETS.filter((dataset) => dataset.format === 'parquet' && dataset.name !== 'data_quality_results');
    const off = { embeddings: false, collector: false };
    expect([...requiredInterfaceEndpoints(plain, { ...off, privacy: true }).keys()].sort()).toEqual(['athena', 'backup', 'lambda', 'monitoring', 'rds', 'secretsmanager', 'states']);
    expect([...requiredInterfaceEndpoints(plain, off).keys()]).not.toContain('athena');
    expect(requiredInterfaceEndpoints(plain, { ...off, privacy: true }).get('athena')).toEqual(['the erasure functions']);
  });

  it('with NAT gateways only the Secrets Manager endpoint the vector store takes is still required', () => {
    const dev = loadEnvironmentConfig('dev');
    const withNat = (interfaceEndpoints: InterfaceEndpointName[]): EnvironmentConfig => ({ ...dev, network: { ...dev.network, natGateways: 1, interfaceEndpoints } });
    expect(endpointProblems(withNat(['secretsmanager']), DATASETS)).toEqual([]);
    expect(endpointProblems(withNat(['kms']), DATASETS).map((problem) => problem.allowed)).toEqual([
      'lacks "secretsmanager" (called by the vector store bootstrap and the HTTP collector and the erasure functions): functions in isolated subnets have no other route to these services; add them, or remove the list to get the defaults',
    ]);
  });

  it('without an explicit list, the network gets Macie added to the default exactly when PII discovery is deployed', () => {
    const dev = loadEnvironmentConfig('dev');
    expect(dev.privacy.discovery.enabled).toBe(false);
    expect(environmentInterfaceEndpoints(dev)).toEqual(DEFAULT_INTERFACE_ENDPOINTS);
    for (const name of ['staging', 'prod'] as const) {
      const config = loadEnvironmentConfig(name);
      expect(config.network.interfaceEndpoints).toBeUndefined();
      expect(environmentInterfaceEndpoints(config)).toEqual([...DEFAULT_INTERFACE_ENDPOINTS, 'macie']);
      expect(endpointProblems(config, DATASETS)).toEqual([]);
      // Discovery lives in the privacy stack: without it, no Macie endpoint is paid for.
      expect(environmentInterfaceEndpoints({ ...config, privacy: { ...config.privacy, enabled: false } })).toEqual(DEFAULT_INTERFACE_ENDPOINTS);
    }
  });

  it('an explicit list is kept as written, and refused without macie while PII discovery is on', () => {
    const prod = loadEnvironmentConfig('prod');
    const listed: InterfaceEndpointName[] = [...DEFAULT_INTERFACE_ENDPOINTS];
    const explicit: EnvironmentConfig = { ...prod, network: { ...prod.network, interfaceEndpoints: listed } };
    expect(environmentInterfaceEndpoints(explicit)).toEqual(listed);
    expect(endpointProblems(explicit, DATASETS).map((problem) => problem.allowed)).toEqual([
      'lacks "macie" (called by the PII discovery job function): functions in isolated subnets have no other route to these services; add them, or remove the list to get the defaults',
    ]);
    const off: EnvironmentConfig = { ...explicit, privacy: { ...prod.privacy, discovery: { ...prod.privacy.discovery, enabled: false } } };
    expect(endpointProblems(off, DATASETS)).toEqual([]);
  });
});
