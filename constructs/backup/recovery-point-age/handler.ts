/**
 * Recovery-point age: on a schedule, for each protected resource, the age of its newest usable recovery
 * point in the vault, published as `RecoveryPointAgeMinutes` (namespace `Lakehouse/Backup`, dimension
 * `Resource`). The alarm on it (monitoring, RecoveryPointAge) fires above the RPO and when the metric is
 * missing, so a resource with no recovery point at all, or a check that stopped running, also alarms.
 *
 * What counts as a recovery point (AWS Backup API, ListRecoveryPointsByBackupVault):
 * - snapshot points in status COMPLETED or AVAILABLE: their completion time (creation time when absent);
 * - continuous (point-in-time) points, whose ARN reads `…:recovery-point:continuous:…`, in status
 *   COMPLETED or AVAILABLE: restorable to within minutes of now, so their age is 0. The list API does not
 *   report the latest restorable time; a continuous backup that stops turns STOPPED (or EXPIRED) and then
 *   no longer counts, so the age falls back to the newest snapshot.
 * PARTIAL, CREATING, STOPPED, DELETING and EXPIRED points never count.
 */
import { BackupClient, ListRecoveryPointsByBackupVaultCommand, type RecoveryPointByBackupVault } from '@aws-sdk/client-backup';
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { BACKUP_METRIC_NAMESPACE, RECOVERY_POINT_AGE_METRIC, RESOURCE_DIMENSION, type ProtectedResource } from '../recovery-metrics';

const USABLE = new Set(['COMPLETED', 'AVAILABLE']);
const CONTINUOUS = /:recovery-point:continuous:/;

/** One resource's outcome. */
export interface ResourceAge {
  readonly name: string;
  readonly arn: string;
  /** ISO time of the newest usable recovery point (now, for an active continuous backup). */
  readonly newest?: string;
  readonly ageMinutes?: number;
  /** Why no age was published. */
  readonly problem?: string;
}

export interface RecoveryPointAgeReport {
  readonly checkedAt: string;
  readonly resources: readonly ResourceAge[];
  readonly metricsPublished: number;
}

export interface RecoveryPointAgeDependencies {
  readonly backup?: BackupClient;
  readonly cloudwatch?: CloudWatchClient;
  /** @default process.env, read at every invocation */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default console.log */
  readonly log?: (message: string) => void;
}

/** Some resources could not be listed; the others were published. */
export class RecoveryPointAgeError extends Error {
  constructor(
    message: string,
    readonly report: RecoveryPointAgeReport,
  ) {
    super(message);
    this.name = 'RecoveryPointAgeError';
  }
}

/** The time (ms) up to which `points` can restore, or undefined when none is usable. */
export function newestRecoveryTime(points: readonly RecoveryPointByBackupVault[], now: number): number | undefined {
  let newest: number | undefined;
  for (const point of points) {
    if (!USABLE.has(String(point.Status))) continue;
    const time = CONTINUOUS.test(point.RecoveryPointArn ?? '') ? now : (point.CompletionDate ?? point.CreationDate)?.getTime();
    if (time !== undefined && (newest === undefined || time > newest)) newest = time;
  }
  return newest;
}

interface Config {
  readonly vaultName: string;
  readonly resources: readonly ProtectedResource[];
}

function readConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const vaultName = env.VAULT_NAME;
  if (!vaultName) throw new Error('VAULT_NAME is not set');
  let resources: unknown;
  try {
    resources = JSON.parse(env.PROTECTED_RESOURCES ?? '');
  } catch {
    throw new Error('PROTECTED_RESOURCES is not JSON');
  }
  if (!Array.isArray(resources) || resources.length === 0 || !resources.every((r) => typeof r?.name === 'string' && typeof r?.arn === 'string')) {
    throw new Error('PROTECTED_RESOURCES must be a non-empty JSON array of {"name","arn"}');
  }
  return { vaultName, resources };
}

async function listPoints(backup: BackupClient, vaultName: string, resourceArn: string): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  let nextToken: string | undefined;
  do {
    const page = await backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: vaultName, ByResourceArn: resourceArn, NextToken: nextToken }));
    points.push(...(page.RecoveryPoints ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return points;
}

/** Builds the handler; tests inject clients, clock and environment. */
export function createHandler(deps: RecoveryPointAgeDependencies = {}): () => Promise<RecoveryPointAgeReport> {
  const log = deps.log ?? ((message: string) => console.log(message));
  const now = deps.now ?? (() => Date.now());
  let backup = deps.backup;
  let cloudwatch = deps.cloudwatch;
  return async () => {
    const config = readConfig(deps.env ?? process.env);
    backup ??= new BackupClient({});
    cloudwatch ??= new CloudWatchClient({});
    const checkedAt = now();
    const outcomes: ResourceAge[] = [];
    for (const resource of config.resources) {
      try {
        const newest = newestRecoveryTime(await listPoints(backup, config.vaultName, resource.arn), checkedAt);
        if (newest === undefined) {
          // Nothing published: the alarm treats missing data as breaching.
          outcomes.push({ ...resource, problem: 'no usable recovery point in the vault' });
        } else {
          const ageMinutes = Math.max(0, Math.round((checkedAt - newest) / 6_000) / 10);
          outcomes.push({ ...resource, newest: new Date(newest).toISOString(), ageMinutes });
        }
      } catch (error) {
        outcomes.push({ ...resource, problem: `listing failed: ${(error as Error).name}: ${(error as Error).message}` });
      }
    }
    const data: MetricDatum[] = outcomes
      .filter((outcome) => outcome.ageMinutes !== undefined)
      .map((outcome) => ({
        MetricName: RECOVERY_POINT_AGE_METRIC,
        Dimensions: [{ Name: RESOURCE_DIMENSION, Value: outcome.name }],
        Timestamp: new Date(checkedAt),
        Value: outcome.ageMinutes,
        Unit: 'None',
      }));
    // At most 1000 datums per call; a blueprint protects a handful of resources.
    if (data.length > 0) await cloudwatch.send(new PutMetricDataCommand({ Namespace: BACKUP_METRIC_NAMESPACE, MetricData: data }));
    const report: RecoveryPointAgeReport = { checkedAt: new Date(checkedAt).toISOString(), resources: outcomes, metricsPublished: data.length };
    log(JSON.stringify(report));
    const failed = outcomes.filter((outcome) => outcome.problem?.startsWith('listing failed'));
    if (failed.length > 0) throw new RecoveryPointAgeError(`could not list recovery points of ${failed.map((f) => f.name).join(', ')}`, report);
    return report;
  };
}

export const handler = createHandler();
