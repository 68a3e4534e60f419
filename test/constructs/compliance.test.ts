/**
 * constructs/compliance: acknowledgements recorded as intents and resolved at synthesis, checked through a
 * real synth with the cdk-nag packs as validation plugins (the path `cdk synth` takes).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acknowledgeGlueTableWildcards, acknowledgeGrantPolicies, acknowledgeResourceWildcard, DeferredAcknowledgements } from '../../constructs/compliance';
import { cliContext } from '../support/app-context';

/** Findings (rule at construct path) of a synth of whatever `build` adds to a fresh stack. */
function findings(build: (app: App, stack: Stack) => void): string[] {
  const app = new App({ context: cliContext(), builtinCloudFormationValidation: false, outdir: mkdtempSync(join(tmpdir(), 'compliance-')) });
  Validations.of(app).addPlugins(new DeferredAcknowledgements(), new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  build(app, new Stack(app, 'Test'));
  try {
    app.synth();
    return [];
  } catch {
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
    };
    return report.pluginReports.flatMap((plugin) => plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
  }
}

function queryRole(stack: Stack): iam.Role {
  const role = new iam.Role(stack, 'QueryRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
  return role;
}

describe('acknowledgeResourceWildcard: IAM5 Resource::* for named actions only', () => {
  const reason = 'lakeformation:GetDataAccess has no resource-level permissions in this test.';

  it('acknowledges the finding when the role allows only the named actions on *', () => {
    const result = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      acknowledgeResourceWildcard(queryRole(stack), ['lakeformation:GetDataAccess'], reason);
    });
    expect(result).toEqual([]);
  });

  it('does not cover a new statement on * added to the same role', () => {
    const result = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      const role = queryRole(stack);
      acknowledgeResourceWildcard(role, ['lakeformation:GetDataAccess'], reason);
      role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
    });
    expect(result).toEqual(['AwsSolutions-IAM5[Resource::*] at Test/QueryRole/DefaultPolicy/Resource']);
  });

  it('refuses an action pattern instead of exact actions', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => acknowledgeResourceWildcard(queryRole(stack), ['lakeformation:*'], reason)).toThrow(/exact actions on Resource "\*", not the pattern lakeformation:\*/);
  });
});

describe('acknowledgeGlueTableWildcards: IAM5 on table/<database>/* for Glue reads only', () => {
  const reason = 'Glue table ARNs cannot name tables that do not exist yet, in this test.';
  const tableArn = (stack: Stack, database: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:table/${database}/*`;
  const readerRole = (stack: Stack, actions: string[], database = 'lake_raw') => {
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions, resources: [tableArn(stack, database)] }));
    return role;
  };

  it('acknowledges one database\'s tables for Glue read actions', () => {
    const result = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      acknowledgeGlueTableWildcards(readerRole(stack, ['glue:GetTable', 'glue:GetPartitions']), reason);
    });
    expect(result).toEqual([]);
  });

  it('does not cover a write action on the same tables, a wildcard database, or a role that did not ask', () => {
    const write = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      acknowledgeGlueTableWildcards(readerRole(stack, ['glue:GetTable', 'glue:DeleteTable']), reason);
    });
    expect(write).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/lake_raw/*] at Test/Reader/DefaultPolicy/Resource']);
    const everyDatabase = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      acknowledgeGlueTableWildcards(readerRole(stack, ['glue:GetTable'], 'lake_*'), reason);
    });
    expect(everyDatabase).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/lake_*/*] at Test/Reader/DefaultPolicy/Resource']);
    const unasked = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      readerRole(stack, ['glue:GetTable']);
    });
    expect(unasked).toEqual(['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/lake_raw/*] at Test/Reader/DefaultPolicy/Resource']);
  });
});

describe('acknowledgeGrantPolicies: IAMNoInlinePolicy at each grant-generated DefaultPolicy', () => {
  it('covers the policy a role builds from grants, at its own path', () => {
    let policyPath = '';
    const result = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [`arn:aws:sqs:eu-west-1:111111111111:queue`] }));
      policyPath = role.node.findChild('DefaultPolicy').node.path;
    });
    expect(result).toEqual([]);
    expect(policyPath).toBe('Test/Reader/DefaultPolicy');
  });

  it('does not cover a hand-written inline policy', () => {
    const result = findings((app, stack) => {
      acknowledgeGrantPolicies(app, 'grant-generated policies in this test');
      const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      new iam.Policy(stack, 'HandWritten', {
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [`arn:aws:sqs:eu-west-1:111111111111:queue`] })],
      });
    });
    expect(result).toEqual(['NIST.800.53.R5-IAMNoInlinePolicy at Test/HandWritten/Resource']);
  });
});
