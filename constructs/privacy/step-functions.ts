/**
 * The plan's statements as Step Functions `States.Format` calls, for a state machine that starts Athena
 * queries itself (`athena:startQueryExecution.sync`): the batch id, known only per execution, becomes the
 * `{}` argument read from the state; everything else is fixed at synth. OPTIMIZE is not here: it depends
 * on the partitions found and comes from find-results (`optimizeSql`); VACUUM has no argument.
 *
 * The value at `batchIdPath` is substituted as it is, so it must be a batch id the claim step accepted
 * (1-80 letters, digits, `_` or `-`; see BATCH_ID_PATTERN): the state machine should pass the claim's own
 * output, never a value from its input.
 */
import { ValidationReport, renderValue } from '../common/validation-report';
import type { ErasureTarget } from './target';

export interface StatesFormatStatement {
  /** The literal (first) argument, escaped as the intrinsic requires; `{}` is the batch id. */
  readonly format: string;
  /** One JSONPath per `{}`, in order. */
  readonly args: readonly string[];
  /** `States.Format('<format>', <path>, …)`: a `.$` field value (CDK: `sfn.JsonPath.stringAt(expression)`). */
  readonly expression: string;
}

export interface ErasureStatesFormat {
  readonly find: StatesFormatStatement;
  readonly verify: StatesFormatStatement;
  /** Iceberg targets only. */
  readonly delete?: StatesFormatStatement;
}

/** Stands for the batch id while rendering: a valid batch id that no statement text otherwise contains. */
const SENTINEL = 'BATCH0ID0SENTINEL0f31c9';
const PATH = /^\$\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** The target's find, verify (and delete) statements as `States.Format` calls reading the batch id at `batchIdPath`. */
export function erasureStatesFormat(target: ErasureTarget, batchIdPath = '$.batchId'): ErasureStatesFormat {
  if (!PATH.test(batchIdPath)) {
    throw new ValidationReport([{ source: `erasure plan for dataset "${target.dataset}"`, field: 'batchIdPath', value: renderValue(batchIdPath), allowed: 'a JSONPath such as $.batchId or $$.Execution.Input.batchId' }]);
  }
  const statement = (render: (batchId: string) => string) => statesFormat(render(SENTINEL), batchIdPath);
  return {
    find: statement(target.findSql),
    verify: statement(target.verifySql),
    ...(target.kind === 'iceberg' ? { delete: statement(target.deleteSql) } : {}),
  };
}

function statesFormat(sql: string, batchIdPath: string): StatesFormatStatement {
  // One line: a line break inside the intrinsic's literal is not among the characters it documents. The
  // plan's statements break lines only between clauses, never inside a quoted literal or name.
  const parts = sql.replace(/\s*\n\s*/g, ' ').split(SENTINEL);
  const format = parts.map((part) => part.replace(/[\\'{}]/g, (character) => `\\${character}`)).join('{}');
  const args = parts.slice(1).map(() => batchIdPath);
  return { format, args, expression: `States.Format('${format}'${args.map((arg) => `, ${arg}`).join('')})` };
}
