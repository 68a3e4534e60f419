import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { describeFinding, nagFindings } from '../support/nag';

describe('cdk-nag packs applied by the app (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1)', () => {
  it.each(ENVIRONMENT_NAMES)('%s has zero unacknowledged findings', (name) => {
    const findings = nagFindings(name);
    expect(findings.map(describeFinding)).toEqual([]);
  });

  it('canary: a deliberately insecure bucket and role fail the synth in every pack', () => {
    const findings = nagFindings('dev', {
      extend: (_app, stacks) => {
        new s3.CfnBucket(stacks.storage, 'InsecureCanaryBucket', {});
        const role = new iam.Role(stacks.storage, 'WildcardCanaryRole', { assumedBy: new iam.AccountRootPrincipal() });
        role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
      },
    });
    const packs = new Set(findings.map((finding) => finding.pack));
    expect([...packs].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
    const rules = findings.map((finding) => finding.rule);
    expect(rules).toContain('AwsSolutions-S1');
    expect(rules).toContain('NIST.800.53.R5-S3DefaultEncryptionKMS');
    expect(rules).toContain('AwsSolutions-IAM5[Action::s3:*]');
    // The canary's own findings, nothing from the real stacks.
    expect(findings.every((finding) => /Canary/.test(finding.constructPath))).toBe(true);
  });
});
