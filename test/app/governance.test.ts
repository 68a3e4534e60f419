import { describe, expect, it } from 'vitest';
import { columnClassifications } from '../../constructs/datasets';
import { DATASETS } from '../../config/datasets';
import { loadEnvironmentConfig, validateAccountOwnership } from '../../config/load';
import { ConfigValidationError } from '../../config/errors';
import { buildFromConfig, resourcesOfType, synthCached, type Template } from '../support/synth';

const catalogTemplate = (environment: 'dev' | 'staging' | 'prod') => synthCached(environment).templates[`lakehouse-${environment}-catalog`];
const ACCOUNT_WIDE = ['AWS::LakeFormation::DataLakeSettings', 'AWS::LakeFormation::Tag', 'AWS::Glue::DataCatalogEncryptionSettings'];

/** Lake Formation grants whose principal is the role with this logical-ID prefix. */
function grantsOf(template: Template, rolePrefix: string) {
  return resourcesOfType(template, 'AWS::LakeFormation::PrincipalPermissions').filter((grant) =>
    JSON.stringify(grant.Properties!.Principal).includes(`"${rolePrefix}`),
  );
}

describe('the analyst persona never reaches a pii column', () => {
  const template = catalogTemplate('prod');
  const grants = grantsOf(template, 'AnalystRole');

  it('has grants at all (so the checks below are not vacuous)', () => {
    expect(grants.length).toBe(2);
  });

  it('is granted only through LF-tag expressions, and every table expression excludes pii', () => {
    for (const grant of grants) {
      const policy = grant.Properties!.Resource.LFTagPolicy;
      expect(policy, 'a named-resource grant would bypass the tag checks').toBeDefined();
      if (policy.ResourceType === 'TABLE') {
        const classification = policy.Expression.find((e: { TagKey: string }) => e.TagKey === 'classification');
        expect(classification, 'a table grant without a classification condition reaches every column').toBeDefined();
        expect(classification.TagValues).not.toContain('pii');
        expect(classification.TagValues.length).toBeGreaterThan(0);
      } else {
        expect(grant.Properties!.Permissions).toEqual(['DESCRIBE']);
      }
    }
  });

  it('every pii column of every dataset carries the pii tag, and no table defaults to pii', () => {
    const associations = resourcesOfType(template, 'AWS::LakeFormation::TagAssociation').map((a) => a.Properties!);
    for (const dataset of DATASETS) {
      const pii = columnClassifications(dataset).get('pii') ?? [];
      if (pii.length === 0) continue;
      const tagged = associations.find(
        (a) =>
          a.Resource.TableWithColumns?.Name === dataset.name &&
          a.LFTags.some((tag: { TagKey: string; TagValues: string[] }) => tag.TagKey === 'classification' && tag.TagValues.includes('pii')),
      );
      expect(tagged?.Resource.TableWithColumns.ColumnNames, dataset.name).toEqual(pii);
    }
    for (const association of associations.filter((a) => a.Resource.Table)) {
      const classification = association.LFTags.find((tag: { TagKey: string }) => tag.TagKey === 'classification');
      expect(classification.TagValues).toEqual(['internal']);
    }
  });

  it('the ML engineer is limited to curated and analytics, the data engineer may write', () => {
    const ml = grantsOf(template, 'MlEngineerRole').map((g) => g.Properties!.Resource.LFTagPolicy.Expression);
    for (const expression of ml) expect(expression.find((e: { TagKey: string }) => e.TagKey === 'zone').TagValues).toEqual(['curated', 'analytics']);
    const engineer = grantsOf(template, 'DataEngineerRole').find((g) => g.Properties!.Resource.LFTagPolicy.ResourceType === 'TABLE')!;
    expect(engineer.Properties!.Permissions).toEqual(['SELECT', 'DESCRIBE', 'INSERT', 'DELETE', 'ALTER']);
  });
});

describe('Lake Formation settings', () => {
  const template = catalogTemplate('prod');

  it('make the CDK deployment role an admin and give new databases and tables no IAMAllowedPrincipals grant', () => {
    const [settings] = resourcesOfType(template, 'AWS::LakeFormation::DataLakeSettings');
    expect(JSON.stringify(settings.Properties!.Admins)).toContain('cfn-exec-role');
    expect(settings.Properties!.CreateDatabaseDefaultPermissions).toEqual([]);
    expect(settings.Properties!.CreateTableDefaultPermissions).toEqual([]);
  });

  it('exist before any database is created', () => {
    const [settings] = resourcesOfType(template, 'AWS::LakeFormation::DataLakeSettings');
    for (const database of resourcesOfType(template, 'AWS::Glue::Database')) {
      expect([database.DependsOn].flat(), database.logicalId).toContain(settings.logicalId);
    }
  });

  it('define the LF-tags classification, domain and zone', () => {
    const tags = Object.fromEntries(resourcesOfType(template, 'AWS::LakeFormation::Tag').map((t) => [t.Properties!.TagKey, t.Properties!.TagValues]));
    expect(tags).toEqual({
      classification: ['public', 'internal', 'confidential', 'pii'],
      domain: ['product_analytics', 'knowledge', 'operations'],
      zone: ['raw', 'curated', 'analytics'],
    });
  });

  it('register each zone with its own data-access role, not the service-linked role, hybrid access off', () => {
    const registrations = resourcesOfType(template, 'AWS::LakeFormation::Resource');
    expect(registrations).toHaveLength(3);
    for (const registration of registrations) {
      expect(registration.Properties!.UseServiceLinkedRole).toBe(false);
      expect(registration.Properties!.HybridAccessEnabled).toBe(false);
      expect(JSON.stringify(registration.Properties!.RoleArn)).toMatch(/DataAccessRole/);
    }
  });

  it("give the Iceberg DDL role what CREATE TABLE needs before any Iceberg table is created", () => {
    const ddl = grantsOf(template, 'CatalogIcebergFunctionRole');
    const permissions = ddl.map((grant) => grant.Properties!.Permissions).flat();
    expect(permissions).toEqual(expect.arrayContaining(['CREATE_TABLE', 'DATA_LOCATION_ACCESS', 'ALTER']));
    for (const table of resourcesOfType(template, 'Custom::IcebergTable')) {
      for (const grant of ddl) expect([table.DependsOn].flat(), table.logicalId).toContain(grant.logicalId);
    }
  });
});

describe('account-wide settings have exactly one owner per account', () => {
  const prod = loadEnvironmentConfig('prod');
  const staging = loadEnvironmentConfig('staging');
  const sharedStaging = {
    ...staging,
    account: prod.account,
    region: prod.region,
    governance: {
      ...staging.governance,
      ownsAccountSettings: false,
      accountCatalogKeyArn: `arn:aws:kms:${prod.region}:${prod.account}:key/11111111-2222-3333-4444-555555555555`,
    },
  };

  it('the shipped environments each have an account to themselves and own their settings', () => {
    expect(new Set([prod.account, staging.account]).size).toBe(2);
    for (const resourceType of ACCOUNT_WIDE) {
      expect(resourcesOfType(catalogTemplate('prod'), resourceType).length, resourceType).toBeGreaterThan(0);
    }
  });

  it('with staging moved into the prod account, only prod defines them; staging still tags and grants', () => {
    const { app } = buildFromConfig(sharedStaging);
    const template = app.synth().getStackByName('lakehouse-staging-catalog').template as Template;
    for (const resourceType of ACCOUNT_WIDE) expect(resourcesOfType(template, resourceType), resourceType).toEqual([]);
    expect(resourcesOfType(template, 'AWS::LakeFormation::TagAssociation').length).toBeGreaterThan(0);
    expect(grantsOf(template, 'AnalystRole').length).toBe(2);
    // Readers of the catalog are granted the owner's catalog key.
    expect(JSON.stringify(template)).toContain(sharedStaging.governance.accountCatalogKeyArn);
  });

  it('two owners in one account are refused, naming both files', () => {
    const bothOwn = { ...sharedStaging, governance: { ...sharedStaging.governance, ownsAccountSettings: true } };
    expect(() => validateAccountOwnership(bothOwn, [prod])).toThrow(ConfigValidationError);
    expect(() => validateAccountOwnership(bothOwn, [prod])).toThrow(
      'governance.ownsAccountSettings: got true; config/environments/prod.ts also owns the account-wide settings of account 222222222222',
    );
    expect(() => validateAccountOwnership(sharedStaging, [prod])).not.toThrow();
  });
});
