import { CfnResource, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { acknowledgeResourceWildcard, STEP_FUNCTIONS_LOG_DELIVERY_ACTIONS } from '../compliance';

const FRAMEWORK_FUNCTION_REASON =
  "The Provider framework's own function has no supported prop for a DLQ or reserved concurrency (only an escape " +
  'hatch on an internal construct ID); CloudFormation retries and reports failures itself (compliance decisions in docs/decisions.md).';

const INVOKE_REASON =
  'The Provider framework grants its roles invoke on its functions and their versions (<function ARN>:*) through ' +
  'grantInvoke, with no prop to narrow it; the wildcard covers versions and aliases of that one function.';

/**
 * cdk-nag acknowledgements that every CDK Provider framework brings, at the resources they concern:
 * DLQ and reserved concurrency on its own functions (docs/decisions.md), invoke on `<function ARN>:*` on the
 * roles that call the handlers and framework functions, and, with an isComplete handler, what the
 * waiter state machine needs (X-Ray tracing has no prop; log delivery actions have no resource-level
 * permissions).
 *
 * @param handlers the user handler functions the Provider invokes (onEvent, isComplete)
 * @param frameworkRoles the roles passed as frameworkOnEventRole / frameworkCompleteAndTimeoutRole
 */
export function acknowledgeProviderFramework(provider: cr.Provider, handlers: readonly IConstruct[], frameworkRoles: readonly IConstruct[]): void {
  const stack = Stack.of(provider);
  const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
  const frameworkFunctions = provider.node.children.filter((child) => child.node.id.startsWith('framework-'));
  for (const fn of frameworkFunctions) {
    for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ', 'NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency', 'PCI.DSS.321-LambdaConcurrency']) {
      Validations.of(fn).acknowledge({ id, reason: FRAMEWORK_FUNCTION_REASON });
    }
  }
  for (const role of frameworkRoles) {
    for (const handler of handlers) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId(handler)}.Arn>:*]`, reason: INVOKE_REASON });
    }
  }
  const waiter = provider.node.tryFindChild('waiter-state-machine');
  if (waiter) {
    const waiterRole = waiter.node.findChild('Role');
    for (const fn of frameworkFunctions.filter((f) => f.node.id !== 'framework-onEvent')) {
      Validations.of(waiterRole).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId(fn)}.Arn>:*]`, reason: INVOKE_REASON });
    }
    scopeWaiterLogWrites(waiter, waiterRole);
    acknowledgeResourceWildcard(
      waiterRole,
      STEP_FUNCTIONS_LOG_DELIVERY_ACTIONS,
      "Step Functions' CloudWatch Logs delivery actions (logs:CreateLogDelivery and related) support no resource-level " +
        'permissions; the Provider framework adds them to its waiter role for execution logging.',
    );
    Validations.of(waiter).acknowledge({
      id: 'AwsSolutions-SF2',
      reason:
        "The Provider framework's internal waiter state machine has no tracing prop; it only polls the isComplete function, " +
        'whose invocations are logged, as are the state machine executions (ALL events).',
    });
  }
}

const LOG_WRITES = ['logs:CreateLogStream', 'logs:PutLogEvents'];

type PolicyStatementJson = { Action?: unknown; Effect?: string; Resource?: unknown };

/**
 * The Provider framework gives its waiter role `logs:CreateLogStream` and `logs:PutLogEvents` on `*`, next
 * to the log-delivery actions that do need `*`. Those two can name the waiter's own log group, so its
 * policy is rewritten at synthesis to do that (docs/decisions.md: scope them, do not acknowledge them). The
 * rewrite reads the policy as the framework built it, so statements it adds later are kept.
 */
function scopeWaiterLogWrites(waiter: IConstruct, waiterRole: IConstruct): void {
  const policy = waiterRole.node.tryFindChild('DefaultPolicy');
  const machine = waiter.node.defaultChild as sfn.CfnStateMachine | undefined;
  if (!(policy instanceof iam.Policy) || !machine) return;
  const stack = Stack.of(waiter);
  (policy.node.defaultChild as iam.CfnPolicy).addPropertyOverride(
    'PolicyDocument',
    Lazy.any({
      produce: () => {
        const logging = stack.resolve(machine.loggingConfiguration) as { destinations?: Array<{ cloudWatchLogsLogGroup?: { logGroupArn?: unknown } }> } | undefined;
        const logGroupArn = logging?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn;
        const document = stack.resolve(policy.document) as { Statement: PolicyStatementJson[] };
        if (logGroupArn === undefined) return document;
        const statements = document.Statement.map((statement) => {
          const actions = ([] as unknown[]).concat(statement.Action ?? []);
          if (statement.Resource !== '*' || !actions.some((action) => LOG_WRITES.includes(String(action)))) return statement;
          return { ...statement, Action: actions.filter((action) => !LOG_WRITES.includes(String(action))) };
        });
        // The log group's ARN attribute ends in `:*`, which covers its streams.
        return { ...document, Statement: [...statements, { Action: LOG_WRITES, Effect: 'Allow', Resource: logGroupArn }] };
      },
    }),
  );
}
