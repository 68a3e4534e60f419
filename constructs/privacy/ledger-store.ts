/**
 * Writing to the ledger bucket (Object Lock). The bucket's default retention is preferred: when the
 * bucket has one, objects are written plainly and S3 applies it (so a change of the configured retention
 * is one bucket setting, not a code change). When Object Lock is enabled without a default rule, each
 * object carries its own retention (mode and days from the handler's settings). A bucket without Object
 * Lock is refused: an audit ledger that can be rewritten proves nothing.
 */
import { GetObjectLockConfigurationCommand, PutObjectCommand, type ObjectLockMode } from '@aws-sdk/client-s3';
import type { LedgerMode } from './handler-environment';
import type { S3Send } from './work-files';

export class LedgerNotLockedError extends Error {
  constructor(bucket: string, detail: string) {
    super(`ledger bucket ${bucket} has no Object Lock (${detail}); refusing to write an erasure ledger that could be changed`);
    this.name = 'LedgerNotLockedError';
  }
}

export type LedgerWriter = (key: string, body: string, contentType: string) => Promise<{ versionId?: string; lockedBy: 'bucket-default' | 'object-retention' }>;

/** Reads the bucket's lock configuration once and returns a writer that honours it. */
export async function ledgerWriter(s3: S3Send, bucket: string, fallback: { mode: LedgerMode; retentionDays: number }, now: () => Date = () => new Date()): Promise<LedgerWriter> {
  let rule: { hasDefault: boolean };
  try {
    const { ObjectLockConfiguration: config } = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    if (config?.ObjectLockEnabled !== 'Enabled') throw new LedgerNotLockedError(bucket, 'ObjectLockEnabled is not Enabled');
    rule = { hasDefault: config.Rule?.DefaultRetention !== undefined && (config.Rule.DefaultRetention.Days !== undefined || config.Rule.DefaultRetention.Years !== undefined) };
  } catch (error) {
    if (error instanceof LedgerNotLockedError) throw error;
    if ((error as Error)?.name === 'ObjectLockConfigurationNotFoundError') throw new LedgerNotLockedError(bucket, 'no Object Lock configuration');
    throw error;
  }
  return async (key, body, contentType) => {
    const lock = rule.hasDefault
      ? {}
      : {
          ObjectLockMode: (fallback.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE') as ObjectLockMode,
          ObjectLockRetainUntilDate: new Date(now().getTime() + fallback.retentionDays * 86_400_000),
        };
    const response = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ChecksumAlgorithm: 'SHA256', ...lock }));
    return { versionId: response.VersionId, lockedBy: rule.hasDefault ? 'bucket-default' : 'object-retention' };
  };
}
