import type { AlarmKindDescription } from './alarm-kinds';

/**
 * Alarm kinds of the erasure workflow (constructs/privacy), kept apart from alarm-kinds.ts so that they
 * evolve with privacy-alarms.ts; ALARM_KINDS includes them. docs/runbooks/erasure.md has the procedures.
 */
export const PRIVACY_ALARM_KINDS = {
  ErasureDeadlineNear: {
    title: 'Erasure request close to its deadline',
    summary: 'At least one open erasure request is due within privacy.alarmDaysBeforeDeadline days (RequestsNearDeadline > 0, measured hourly)',
    missingData:
      'Breaching: the deadline monitor publishes every hour, zero included, so no data means it stopped (schedule, errors, permissions) and nobody is watching the deadlines.',
    check: [
      'Open requests and their status: the request table (status running, queued, verification-failed), or npm run privacy:report; a request stuck in running points at a failed execution.',
      'The ErasureWorkflow executions of the last days in the Step Functions console: released batches (EltStillRunning, States.TaskFailed) put requests back in the queue with attempts + 1.',
      "The deadline-monitor function's log group and dead-letter queue when the alarm fired on missing data.",
    ],
    recover:
      'Fix what keeps the batch from completing (docs/runbooks/erasure.md, "Failures"), then start the workflow by hand with {} instead of waiting for the schedule; the alarm clears at the next hourly measurement.',
  },
  ErasureOverdue: {
    title: 'Erasure request past its deadline',
    summary: 'At least one open erasure request is past its legal deadline (OverdueRequests > 0)',
    missingData: 'Breaching, as ErasureDeadlineNear: the deadline monitor publishes zero every hour.',
    check: [
      'Which requests: npm run privacy:report (open requests, days overdue) or the request table.',
      'Why: the ErasureWorkflowFailed and ErasureVerificationFailed alarms of the last days, and the attempts and lastError of the request.',
      'Whether the regulator-facing team (data protection officer) knows: a missed deadline must be documented.',
    ],
    recover:
      'Complete the erasure (docs/runbooks/erasure.md), record the delay and its reason with the request reference; the alarm clears when no open request is past its deadline.',
  },
  ErasureVerificationFailed: {
    title: 'Erasure verification found data',
    summary: 'After the forget phase, the verification queries (or the vector count) still found rows of a subject (VerificationFailures > 0); the request stays open as verification-failed',
    missingData: 'Not breaching: the record function publishes the metric only when a batch is recorded.',
    check: [
      'The ledger entry of the request (ledger/<yyyy>/<mm>/<requestId>.<batchId>.json): which dataset still had rows, the find and verify counts.',
      'A writer that re-added the subject (a producer still sending events for the person, a late ELT run re-deriving events_curated from raw), or a Parquet rewrite conflict (RewriteConflicts metric).',
      'The find-results manifest of the batch in the work bucket (find/<batchId>/), kept two days.',
    ],
    recover:
      'Stop the source that re-adds the subject, then start the workflow again: verification-failed requests are retried by the next batch; the alarm clears in the next hour without new failures.',
  },
  ErasureWorkflowFailed: {
    title: 'Erasure workflow execution failed',
    summary: 'An ErasureWorkflow execution failed, timed out or was aborted: the batch was released (its requests are queued again) or verification failed',
    missingData: 'Not breaching: Step Functions reports executions only when they run.',
    check: [
      'The execution in the Step Functions console: the last state entered and the error (EltStillRunning, States.TaskFailed of a Find/Delete/Optimize/Vacuum query, a function error, VerificationFailed).',
      "A failed query: its query execution ID in the execution's events, its error in the Athena workgroup history (permissions, Lake Formation grants, a table changed by a deploy).",
      "A failed function: its log group (no subject IDs are logged) and the privacy dead-letter queue.",
    ],
    recover:
      'A released batch is retried by the next scheduled run; after fixing the cause start the workflow with {} to retry at once. A failure after the forget phase (record) leaves requests running: see docs/runbooks/erasure.md, "Record failed".',
  },
  PhysicalRemovalOverdue: {
    title: 'Erased rows still physically present',
    summary: 'Files that held erased rows (old Iceberg data files or object versions) still exist past the snapshot horizon (PhysicalRemovalOverdue > 0, checked daily)',
    missingData: 'Breaching: the physical check publishes daily, zero included; no data means the check stopped.',
    check: [
      "The physical-check function's log group: which table's files remain (keys, not contents).",
      'VACUUM of that table: did the last erasure\'s Vacuum state succeed, and does the workflow role still hold s3:DeleteObject on the table\'s prefix (without it VACUUM succeeds and deletes nothing)?',
      "The table's snapshot retention (vacuum_max_snapshot_age_seconds) against the horizon in docs/privacy.md.",
    ],
    recover:
      'Run VACUUM on the table in the engineering workgroup (repeat while it reports ICEBERG_VACUUM_MORE_RUNS_NEEDED), then invoke the physical-check function; it deletes the noncurrent versions of removed files.',
  },
} as const satisfies Record<string, AlarmKindDescription>;
