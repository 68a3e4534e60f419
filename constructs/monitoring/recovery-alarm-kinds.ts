import type { AlarmKindDescription } from './alarm-kinds';

/**
 * Alarm kinds of the recovery objectives (RPO and RTO evidence, constructs/backup/recovery-evidence.ts),
 * kept apart from alarm-kinds.ts so that they evolve with recovery-alarms.ts; ALARM_KINDS includes them.
 */
export const RECOVERY_ALARM_KINDS = {
  RecoveryPointAge: {
    title: 'Newest recovery point older than the RPO',
    summary: 'The newest usable recovery point of this resource is older than the recovery point objective, or its age was not measured, for 2 × 15 minutes',
    missingData:
      'Breaching: the recovery-point function publishes the age every 15 minutes for each resource that has a usable recovery point, so no data means no recovery point at all, or the function stopped (schedule, errors, permissions).',
    check: [
      "The resource's recovery points in the AWS Backup console (vault of the environment): newest COMPLETED point, continuous backup STOPPED or EXPIRED?",
      "The recovery-point function's log group: its JSON report names each resource's newest point or why none counted; its errors and dead-letter queue.",
      'The backup plan and the selection covering the resource (BackupJobsFailed alarm, backup job messages; S3 needs versioning, RDS an available instance).',
    ],
    recover:
      'Start an on-demand backup of the resource from the vault (AWS Backup console or `aws backup start-backup-job`), then fix the cause; the alarm clears at the next measurement after a point completes.',
  },
  RestoreDuration: {
    title: 'Restore took longer than the RTO',
    summary: 'A restore (test) of this resource type took longer than the recovery time objective, from job creation to completion',
    missingData: 'Not breaching: the duration is published only when a restore job finishes; restore tests run weekly.',
    check: [
      "The restore job in the AWS Backup console (Jobs, Restore jobs): its size and timeline; the restore-evidence function's log has its JSON record.",
      'What grew: the bucket object count or the database storage since the last test (BackupSizeInBytes of the job).',
      'Whether the restore waited (start window of the restore testing plan, account restore-job quotas).',
    ],
    recover:
      'Shrink what must be restored first (restore the critical prefixes or tables, not everything), use a larger instance class in the restore metadata, or raise the RTO deliberately (operations.rtoMinutes) with the business owner.',
  },
  RestoreValidation: {
    title: 'Restore failed or its copy did not validate',
    summary: 'A restore (test) of this resource type failed, or the restored copy did not validate (empty or unreadable bucket, database not available)',
    missingData: 'Not breaching: the result is published only when a restore job finishes.',
    check: [
      "The restore-evidence function's log: its JSON record has the validation message (which bucket or instance, which error).",
      'The restore job status message in the AWS Backup console (KMS key access of the restore role, subnet group and security groups of a database restore).',
      'For S3: whether the source bucket held objects at the recovery point; for RDS: the instance events of the restored copy.',
    ],
    recover:
      'Fix the restore role, key policy or restore metadata, then start an on-demand restore test (AWS Backup console, restore testing plan) and confirm the alarm returns to OK.',
  },
} as const satisfies Record<string, AlarmKindDescription>;
