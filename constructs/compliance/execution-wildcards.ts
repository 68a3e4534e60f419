import type { IConstruct } from 'constructs';
import { acceptedWildcards, resolveWildcardIntents, type WildcardKind } from './wildcard-statements';

/**
 * A state machine that runs another one with `startExecution.sync` must describe and stop the child's
 * executions, whose ARNs (`…:execution:<state machine>:<execution name>`) exist only once started; the
 * role is granted `execution:<state machine>:*` and cdk-nag reports
 * `AwsSolutions-IAM5[Resource::arn:…:execution:<state machine>:*]`. Constructs record the intent with
 * `acknowledgeExecutionArnWildcards(role, reason)`; the DeferredAcknowledgements plugin acknowledges
 * exactly those IDs, for statements whose actions are all execution reads and stops on one state
 * machine's executions. Any other wildcard on the role still fails the synth.
 */
export const EXECUTION_ARN_WILDCARD_INTENT = 'lakehouse:acknowledge-execution-arn-wildcards';

const EXECUTION_ACTION = /^states:(DescribeExecution|StopExecution)$/;
/** One state machine's executions: its name has no `*` (it may render as a reference, `<…Name>`). */
const EXECUTION_WILDCARD = /^arn:.+:states:.+:execution:[^*:]+:\*$/;

const EXECUTION_ARN_WILDCARDS: WildcardKind = { intent: EXECUTION_ARN_WILDCARD_INTENT, action: EXECUTION_ACTION, resource: (flat) => EXECUTION_WILDCARD.test(flat) };

/** Records that IAM5 findings on one state machine's execution ARNs (`execution:<name>:*`) in `scope`'s policies are accepted. */
export function acknowledgeExecutionArnWildcards(scope: IConstruct, reason: string): void {
  scope.node.addMetadata(EXECUTION_ARN_WILDCARD_INTENT, reason);
}

/** Acknowledges, at each construct that recorded the intent, the execution ARN wildcards of its policies. */
export function resolveExecutionArnWildcardIntents(app: IConstruct): void {
  resolveWildcardIntents(app, EXECUTION_ARN_WILDCARDS);
}

/** Flattened `…:execution:<name>:*` ARNs of Allow statements of execution reads and stops only, under `scope`. */
export function executionArnWildcards(scope: IConstruct): string[] {
  return acceptedWildcards(scope, EXECUTION_ARN_WILDCARDS);
}
