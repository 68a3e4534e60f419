import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app-context';
import { acknowledgementRows, renderComplianceDoc } from '../support/compliance-doc';

describe('docs/compliance.md', () => {
  it('lists exactly the acknowledgements the synthesized app records (run npm run docs:compliance to refresh)', () => {
    const committed = readFileSync(join(REPO_ROOT, 'docs', 'compliance.md'), 'utf8');
    expect(committed).toBe(renderComplianceDoc());
  });

  it('every cdk-nag acknowledgement carries a reason that names its decision, not a placeholder', () => {
    for (const row of acknowledgementRows().nag) {
      expect(row.reason.length, `${row.rule} at ${row.scope}`).toBeGreaterThan(60);
    }
  });

  it('acknowledges only findings that DESIGN.md decides, at the scope it names', () => {
    const allowedAtScope: Array<[RegExp, RegExp]> = [
      // IAMNoInlinePolicy on grant-generated policies: app-wide.
      [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-IAMNoInlinePolicy$/, /^\(app\)$/],
      // Replication: each bucket.
      [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-S3BucketReplicationEnabled$/, /Bucket$/],
      // IAM5 on object ARNs (…/prefix/*), each finding at its role (or the role's policy): data-access roles,
      // query principals, Firehose delivery roles.
      [/^AwsSolutions-IAM5\[Resource::.*\/\*\]$/, /(DataAccessRole|Role|DeliveryPolicy)$/],
      // KDF1: Firehose SSE cannot be set with a Kinesis source; each delivery stream.
      [/^AwsSolutions-KDF1$/, /\/DeliveryStream$/],
      // KDS3 (warning): a CMK instead of aws/kinesis; each stream.
      [/^AwsSolutions-KDS3$/, /\/Stream$/],
      // IAM5 Resource::* for lakeformation:GetDataAccess (no resource-level permissions), at the roles that query.
      [/^AwsSolutions-IAM5\[Resource::\*\]$/, /^<env>-catalog\/(\w+Role|Catalog\/Iceberg\/FunctionRole)$/],
      // IAM4 on AWSLambdaVPCAccessExecutionRole, at our Lambda roles.
      [/^AwsSolutions-IAM4\[Policy::.*service-role\/AWSLambdaVPCAccessExecutionRole\]$/, /\/(FunctionRole|FrameworkRole)$/],
      // The Provider framework's invoke grant on its handler's versions, at the framework role.
      [/^AwsSolutions-IAM5\[Resource::<\w+\.Arn>:\*\]$/, /\/FrameworkRole$/],
      // LambdaDLQ and LambdaConcurrency on the Provider framework's own function.
      [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-Lambda(DLQ|Concurrency)$/, /\/Provider\/framework-onEvent$/],
      // Access-log bucket: S1, logging and KMS default encryption, on that bucket only.
      [/^(AwsSolutions-S1|(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-(S3BucketLoggingEnabled|S3DefaultEncryptionKMS))$/, /\/AccessLogsBucket$/],
    ];
    for (const row of acknowledgementRows().nag) {
      const decided = allowedAtScope.some(([rule, scope]) => rule.test(row.rule) && scope.test(row.scope));
      expect(decided, `${row.rule} at ${row.scope} has no row in DESIGN.md's compliance decisions`).toBe(true);
    }
  });
});
