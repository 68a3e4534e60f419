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

  it('acknowledges only findings that docs/decisions.md decides, at the scope it names', () => {
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
      // IAM4 on AWS service-role policies (Lambda in a VPC, RDS enhanced monitoring, AWS Backup), at those roles.
      [/^AwsSolutions-IAM4\[Policy::.*service-role\/AWSLambdaVPCAccessExecutionRole\]$/, /\/(FunctionRole|FrameworkRole|BootstrapRole|FrameworkOnEventRole|FrameworkCompleteRole|DataQuality\/Role)$/],
      [/^AwsSolutions-IAM4\[Policy::.*service-role\/AmazonRDSEnhancedMonitoringRole\]$/, /\/MonitoringRole$/],
      [/^AwsSolutions-IAM4\[Policy::.*AWSBackupServiceRolePolicyFor(Backup|Restores|S3Backup|S3Restore)\]$/, /(BackupRole|RestoreRole)$/],
      // The Provider framework's invoke grants on its functions' versions, at the roles that invoke them.
      [/^AwsSolutions-IAM5\[Resource::<\w+\.Arn>:\*\]$/, /\/(FrameworkRole|FrameworkOnEventRole|FrameworkCompleteRole|waiter-state-machine\/Role)$/],
      // Step Functions log delivery (no resource-level permissions) on the Provider's waiter role; its tracing.
      [/^AwsSolutions-IAM5\[Resource::\*\]$/, /\/waiter-state-machine\/Role$/],
      [/^AwsSolutions-SF2$/, /\/waiter-state-machine$/],
      // docs/decisions.md: PutMetricData (namespace condition) and GetDataAccess on the data-quality role;
      // X-Ray, log delivery and GetDataAccess on the metrics ELT's role. None has resource-level permissions.
      [/^AwsSolutions-IAM5\[Resource::\*\]$/, /^<env>-operations\/(DataQuality|MetricsElt)\/Role$/],
      // LambdaDLQ and LambdaConcurrency on the Provider framework's own functions.
      [/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-Lambda(DLQ|Concurrency)$/, /Provider\/framework-(onEvent|isComplete|onTimeout)$/],
      // Access-log bucket: S1, logging and KMS default encryption, on that bucket only.
      [/^(AwsSolutions-S1|(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-(S3BucketLoggingEnabled|S3DefaultEncryptionKMS))$/, /\/AccessLogsBucket$/],
    ];
    for (const row of acknowledgementRows().nag) {
      // Multi-AZ and deletion protection on the database: dev only.
      if (/RDS3$|RDS10$|RDSMultiAZSupport$|RDSInstanceDeletionProtectionEnabled$/.test(row.rule)) {
        expect(row.environments, row.rule).toEqual(['dev']);
        expect(row.scope).toMatch(/^<env>-vector\/VectorStore\/Instance$/);
        continue;
      }
      const decided = allowedAtScope.some(([rule, scope]) => rule.test(row.rule) && scope.test(row.scope));
      expect(decided, `${row.rule} at ${row.scope} has no row in the compliance decisions of docs/decisions.md`).toBe(true);
    }
  });
});
