import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { DEFAULT_ENVIRONMENT, loadEnvironmentConfig, UnknownEnvironmentError, validateEnvironmentConfig } from '../../config/load';

describe('shipped environments', () => {
  it.each(ENVIRONMENT_NAMES)('%s validates against the schema', (name) => {
    const config = loadEnvironmentConfig(name);
    expect(config.name).toBe(name);
    expect(config.project).toBe('lakehouse');
  });

  it('dev is the default and environment-agnostic, so a fresh machine needs no credentials', () => {
    expect(DEFAULT_ENVIRONMENT).toBe('dev');
    const dev = loadEnvironmentConfig();
    expect(dev.name).toBe('dev');
    expect(dev.account).toBeUndefined();
    expect(dev.region).toBeUndefined();
  });

  it.each(['staging', 'prod'] as const)('%s names an account and region and retains stateful resources', (name) => {
    const config = loadEnvironmentConfig(name);
    expect(config.account).toMatch(/^\d{12}$/);
    expect(config.region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(config.removalPolicy).toBe('retain');
  });

  it('environments do not share a VPC range, so they can be peered later', () => {
    const cidrs = ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name).network.cidr);
    expect(new Set(cidrs).size).toBe(cidrs.length);
  });

  it('an unknown environment name fails and lists the valid ones', () => {
    expect(() => loadEnvironmentConfig('qa')).toThrow(UnknownEnvironmentError);
    expect(() => loadEnvironmentConfig('qa')).toThrow('Unknown environment "qa" (from -c env=qa). Valid environments: dev, staging, prod');
  });
});

describe('schema defaults', () => {
  const minimal = validateEnvironmentConfig({ name: 'dev', owner: 'team', costCenter: 'cc-1' }, 'config/environments/dev.ts');

  it('fills project, removal and tag defaults', () => {
    expect(minimal.project).toBe('lakehouse');
    expect(minimal.removalPolicy).toBe('retain');
    expect(minimal.tags).toEqual({});
    expect(minimal.logRetentionDays).toBe(365);
  });

  it('fills network defaults: 10.0.0.0/16, 2 AZs, no NAT, flow logs kept a year, default endpoint bundle', () => {
    expect(minimal.network).toEqual({ cidr: '10.0.0.0/16', maxAzs: 2, natGateways: 0, flowLogRetentionDays: 365 });
  });

  it('fills storage defaults: raw, curated, analytics with 90-day noncurrent expiry and 7-day upload abort', () => {
    expect(minimal.storage.zones.map((zone) => zone.name)).toEqual(['raw', 'curated', 'analytics']);
    for (const zone of minimal.storage.zones) {
      expect(zone).toMatchObject({ transitions: [], noncurrentVersionExpirationDays: 90, abortIncompleteMultipartUploadDays: 7 });
    }
    expect(minimal.storage.accessLogRetentionDays).toBe(365);
    expect(minimal.storage.athenaResultsRetentionDays).toBe(30);
  });
});
