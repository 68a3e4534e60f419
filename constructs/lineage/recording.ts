import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { LineageError } from './events';
import { lineageInsertTemplate, type LineageTemplateOptions } from './template';

/** Properties of {@link LineageRecording}. */
export interface LineageRecordingProps extends Omit<LineageTemplateOptions, 'outputRowCountPath'> {
  /** Workgroup the INSERT runs in (its enforced settings give the result location and encryption). */
  readonly workgroupName: string;
  /**
   * Where the state holds the `athena:startQueryExecution.sync` result of the statement that wrote the
   * outputs (e.g. `$.written`): its UpdateCount becomes the event's row count. @default no row count
   */
  readonly writeResultPath?: string;
}

/** Errors the INSERT retries with backoff, as the ELT's own queries do. */
const RETRIED_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException', 'States.Timeout'];
const PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/**
 * Records one OpenLineage COMPLETE event for a state machine's job into the lineage table, after the
 * step that wrote the outputs. Reusable: any state machine appends it with `.next()` after its write.
 *
 *   <id>Guard (Choice, JSONata) ─ run id and every quoted fact are strings without `'` ─► <id>RowCount
 *        │ otherwise                                                                        (athena:getQueryResults,
 *        ▼                                                                                   only with writeResultPath)
 *   <id>Skipped (Pass)                                                                           │
 *                                           <id>Record (athena:startQueryExecution.sync, States.Format) ◄┘
 *                                                │ any error (after retries)
 *                                                ▼
 *                                           <id>NotRecorded (Pass: error kept at $.lineageError)
 *
 * Recording never fails the job: a skipped or failed recording continues with the next state and shows
 * in the execution history (the Skipped/NotRecorded states). The state's input passes through unchanged
 * except `$.lineage` (the row count read) and `$.lineageError`.
 *
 * The role running the state machine needs athena:GetQueryResults and the Athena/Glue/S3/KMS/Lake Formation
 * permissions of an INSERT on the lineage table (see README, "Permissions").
 */
export class LineageRecording extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[];

  constructor(scope: Construct, id: string, props: LineageRecordingProps) {
    super(scope, id);
    const partition = Stack.of(this).partition;
    if (props.writeResultPath !== undefined && !PATH.test(props.writeResultPath)) {
      throw new LineageError(`${this.node.path}: writeResultPath "${props.writeResultPath}" must be a state path such as $.written`);
    }
    const template = lineageInsertTemplate({ ...props, outputRowCountPath: props.writeResultPath ? '$.lineage.rows' : undefined });

    const skipped = new sfn.Pass(this, 'Skipped', { comment: "Run id or a fact is missing or contains ', which States.Format cannot quote in SQL: not recorded" });
    const notRecorded = new sfn.Pass(this, 'NotRecorded', { comment: 'Lineage recording failed; the job goes on (see $.lineageError)' });
    const record = new sfn.CustomState(this, 'Record', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${partition}:states:::athena:startQueryExecution.sync`,
        Parameters: { WorkGroup: props.workgroupName, 'QueryString.$': template.expression, QueryExecutionContext: { Database: props.database } },
        ResultPath: null,
        Retry: [{ ErrorEquals: RETRIED_ERRORS, IntervalSeconds: 15, MaxAttempts: 4, BackoffRate: 2 }],
      },
    });
    record.addCatch(notRecorded, { errors: ['States.ALL'], resultPath: '$.lineageError' });

    let afterGuard: sfn.State = record;
    if (props.writeResultPath) {
      const rowCount = new sfn.CustomState(this, 'RowCount', {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${partition}:states:::athena:getQueryResults`,
          Parameters: { 'QueryExecutionId.$': `${props.writeResultPath}.QueryExecution.QueryExecutionId`, MaxResults: 1 },
          ResultSelector: { 'rows.$': '$.UpdateCount' },
          ResultPath: '$.lineage',
        },
      });
      rowCount.addCatch(notRecorded, { errors: ['States.ALL'], resultPath: '$.lineageError' });
      rowCount.next(record);
      afterGuard = rowCount;
    }
    const safe = template.stringPaths.map((path) => `($v := ${jsonata(path)}; $type($v) = "string" and $not($contains($v, "'")))`).join(' and ');
    this.startState = sfn.Choice.jsonata(this, 'Guard').when(sfn.Condition.jsonata(`{% ${safe} %}`), afterGuard).otherwise(skipped);
    this.endStates = [skipped, record, notRecorded];
    // State names are unique per state machine: each recording's states carry its id.
    this.prefixStates(`${id}.`);
  }
}

/** A JSONPath of the template (`$.day`, `$$.Execution.Name`) as the JSONata expression that reads the same value. */
export function jsonata(path: string): string {
  if (path.startsWith('$$.')) return `$states.context.${path.slice(3)}`;
  return `$states.input.${path.slice(2)}`;
}
