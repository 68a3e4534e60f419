import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { greaterThanPattern } from './greater-than-pattern';

export interface CollectorWebAclProps {
  /** The API Gateway stage to protect (its ARN). */
  readonly stageArn: string;
  /** Requests one IP may send per 5 minutes. */
  readonly requestsPerIpPer5Minutes: number;
  /** Largest request body the collector accepts; larger declared lengths are blocked at the edge. */
  readonly maxBodyBytes: number;
  /** Add AWS's common and known-bad-inputs managed rule sets. */
  readonly managedRules: boolean;
  /** Metric and log-group name prefix (`aws-waf-logs-<name>` is the log group WAF requires). */
  readonly name: string;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The collector's AWS WAF web ACL (REGIONAL), associated with the API stage: a rate-based rule per client
 * IP, a size rule on the declared body length and on the query string (the tracking API has none), and
 * optionally AWS's managed rule sets, with logging to a KMS-encrypted log group that redacts the
 * Authorization header (it carries the write key).
 */
export class CollectorWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  /** Metric name prefix of the rules (`<name>-<rule>`), for dashboards. */
  public readonly metricPrefix: string;

  constructor(scope: Construct, id: string, props: CollectorWebAclProps) {
    super(scope, id);
    this.metricPrefix = props.name;
    const visibility = (rule: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${rule}`,
    });
    const block = { block: {} };
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'RatePerIp',
        priority: 0,
        action: block,
        statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.requestsPerIpPer5Minutes, evaluationWindowSec: 300 } },
        visibilityConfig: visibility('RatePerIp'),
      },
      {
        name: 'DeclaredBodyTooLarge',
        priority: 1,
        action: block,
        statement: {
          regexMatchStatement: {
            fieldToMatch: { singleHeader: { Name: 'content-length' } },
            regexString: greaterThanPattern(props.maxBodyBytes),
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        visibilityConfig: visibility('DeclaredBodyTooLarge'),
      },
      {
        name: 'QueryStringTooLarge',
        priority: 2,
        action: block,
        statement: {
          sizeConstraintStatement: { fieldToMatch: { queryString: {} }, comparisonOperator: 'GT', size: 1024, textTransformations: [{ priority: 0, type: 'NONE' }] },
        },
        visibilityConfig: visibility('QueryStringTooLarge'),
      },
    ];
    if (props.managedRules) {
      rules.push(
        {
          name: 'AwsCommonRules',
          priority: 3,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Its body rule blocks bodies over 8 KB: every batch. The declared-length rule above enforces the real limit.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
          visibilityConfig: visibility('AwsCommonRules'),
        },
        {
          name: 'AwsKnownBadInputs',
          priority: 4,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('AwsKnownBadInputs'),
        },
      );
    }
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'HTTP collector: rate per IP, size limits, AWS managed rules',
      visibilityConfig: visibility('WebAcl'),
      rules,
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });

    // WAF only logs to log groups whose name starts with aws-waf-logs-.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${props.name}`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        // The log group's ARN without the `:*` that logGroupArn carries: WAF refuses that form.
        Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}
