/**
 * The metrics the recovery-evidence functions publish (namespace, names, dimensions), shared by the
 * handlers (bundled for Lambda) and the construct's `metric…()` methods, so both always agree.
 */
export const BACKUP_METRIC_NAMESPACE = 'Lakehouse/Backup';

/** Minutes since the newest usable recovery point of a protected resource (dimension `Resource`). */
export const RECOVERY_POINT_AGE_METRIC = 'RecoveryPointAgeMinutes';
/** Minutes from a restore job's creation to its completion (dimension `ResourceType`). */
export const RESTORE_DURATION_METRIC = 'RestoreDurationMinutes';
/** 1 when a restore failed or its restored copy did not validate, 0 when it did (dimension `ResourceType`). */
export const RESTORE_VALIDATION_FAILED_METRIC = 'RestoreValidationFailed';

export const RESOURCE_DIMENSION = 'Resource';
export const RESOURCE_TYPE_DIMENSION = 'ResourceType';

/** A protected resource as the recovery-point check sees it: a short label (the metric dimension) and its ARN. */
export interface ProtectedResource {
  /** Letters, digits, `-`, `_`, `.`: the `Resource` dimension value and part of alarm IDs. */
  readonly name: string;
  readonly arn: string;
  /** AWS Backup's resource type (`S3`, `RDS`): the restore metrics' `ResourceType` dimension. */
  readonly type: string;
}

/** Restore-job states after which nothing changes any more. */
export const TERMINAL_RESTORE_STATES: readonly string[] = ['COMPLETED', 'FAILED', 'ABORTED'];
