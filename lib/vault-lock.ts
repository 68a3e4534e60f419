import { Duration } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../config/schema';
import type { VaultLock } from '../constructs/backup';

type LockConfig = NonNullable<EnvironmentConfig['backup']['vaultLock']>;

/** A validated lock config as the backup constructs take it (days → durations); `undefined` for no lock. */
export function vaultLock(lock: LockConfig | undefined): VaultLock | undefined {
  if (!lock) return undefined;
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    maxRetention: lock.maxRetentionDays === undefined ? undefined : Duration.days(lock.maxRetentionDays),
    changeableFor: lock.changeableForDays === undefined ? undefined : Duration.days(lock.changeableForDays),
  };
}
