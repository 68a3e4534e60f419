import type * as backup from 'aws-cdk-lib/aws-backup';
import { CfnRestoreTestingPlan, CfnRestoreTestingSelection } from 'aws-cdk-lib/aws-backup';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { defaultName } from '../common/default-name';
import { renderValue, ValidationReport } from '../common/validation-report';
import { scheduleExpressionProblem } from '../common/validators/schedule-expression';
import { backupRole } from './lakehouse-backup';

/** Properties of {@link RestoreTesting}. */
export interface RestoreTestingProps {
  /**
   * Plan name: letters, digits and underscores, at most 50 (the app uses `<project>_<env>_restore_tests`).
   * @default `<stack name>_<construct id>` with underscores, cut to 32 characters so selection names (`<plan>_<name>`) fit in 50
   */
  readonly planName?: string;
  /** The vault whose recovery points are restored. */
  readonly vault: backup.IBackupVault;
  /** When tests run. @default 'cron(0 5 ? * SUN *)' (Sundays 05:00 UTC) */
  readonly scheduleExpression?: string;
  /** Hours a restored copy is kept for validation before AWS Backup deletes it (1-168). @default 4 */
  readonly validationWindowHours?: number;
  /** Hours after the scheduled time within which a test must start. @default 8 */
  readonly startWindowHours?: number;
  /** How recent the tested recovery point must be, days. @default 7 */
  readonly selectionWindowDays?: number;
}

const NAME = /^[A-Za-z0-9_]{1,50}$/;

/**
 * AWS Backup restore testing: on a schedule, AWS Backup restores the latest recovery point of each
 * selected resource into a throwaway copy, keeps it for the validation window and deletes it. Each
 * run's duration is the measured restore time: the evidence for the recovery-time objective.
 */
export class RestoreTesting extends Construct {
  public readonly plan: CfnRestoreTestingPlan;
  /** Role AWS Backup restores with (backup and restore service policies, S3 restore). */
  public readonly role: iam.Role;
  public readonly selections: CfnRestoreTestingSelection[] = [];
  /** The plan's name; selections are named `<plan name>_<name>`. */
  public readonly planName: string;
  private readonly props: RestoreTestingProps;

  constructor(scope: Construct, id: string, props: RestoreTestingProps) {
    super(scope, id);
    this.planName = props.planName ?? defaultName(this, { maxLength: 32, separator: '_' });
    if (!NAME.test(this.planName)) throw new Error(`${this.node.path}: plan name "${this.planName}" must be 1-50 letters, digits or underscores`);
    const validation = props.validationWindowHours ?? 4;
    if (!Number.isInteger(validation) || validation < 1 || validation > 168) {
      throw new Error(`${this.node.path}: validationWindowHours must be 1-168, got ${validation}`);
    }
    const schedule = props.scheduleExpression ?? 'cron(0 5 ? * SUN *)';
    // Restore testing takes cron only ("A CRON expression", RestoreTestingPlan API reference).
    const scheduleProblem = scheduleExpressionProblem(schedule, { allowRate: false });
    if (scheduleProblem) {
      throw new ValidationReport([{ source: `RestoreTesting (${this.node.path})`, field: 'scheduleExpression', value: renderValue(schedule), allowed: scheduleProblem }]);
    }
    this.props = props;
    this.role = backupRole(this, 'RestoreRole', ['AWSBackupServiceRolePolicyForS3Restore', 'AWSBackupServiceRolePolicyForS3Backup']);
    this.plan = new CfnRestoreTestingPlan(this, 'Plan', {
      restoreTestingPlanName: this.planName,
      scheduleExpression: schedule,
      startWindowHours: props.startWindowHours ?? 8,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [props.vault.backupVaultArn],
        recoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        selectionWindowDays: props.selectionWindowDays ?? 7,
      },
    });
  }

  /**
   * Tests restores of `resourceArns`, of one resource type (`RDS`, `S3`, …). `metadataOverrides`
   * replaces what AWS Backup would infer, for example the subnet group and security groups of a
   * database in a VPC without a default VPC to fall back on.
   */
  public addSelection(name: string, resourceType: string, resourceArns: readonly string[], metadataOverrides?: Record<string, string>): CfnRestoreTestingSelection {
    const selectionName = `${this.planName}_${name}`.slice(0, 50);
    if (!NAME.test(selectionName)) throw new Error(`${this.node.path}: selection name "${selectionName}" must be letters, digits or underscores`);
    const selection = new CfnRestoreTestingSelection(this, `${name}Selection`, {
      restoreTestingPlanName: this.planName,
      restoreTestingSelectionName: selectionName,
      protectedResourceType: resourceType,
      protectedResourceArns: [...resourceArns],
      iamRoleArn: this.role.roleArn,
      validationWindowHours: this.props.validationWindowHours ?? 4,
      restoreMetadataOverrides: metadataOverrides,
    });
    selection.node.addDependency(this.plan);
    this.selections.push(selection);
    return selection;
  }
}
