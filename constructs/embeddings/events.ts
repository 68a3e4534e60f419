/**
 * SQS records carrying EventBridge S3 events ("Object Created" / "Object Deleted", source aws.s3), parsed
 * and checked. A record that is not such an event is reported as malformed with a reason; it is
 * acknowledged (not retried: a retry cannot make it well-formed) and logged for the dead-letter review.
 */

export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

export interface ObjectEvent {
  readonly kind: 'created' | 'deleted';
  readonly bucket: string;
  readonly key: string;
  /** Present on versioned buckets. */
  readonly versionId?: string;
  readonly etag?: string;
  readonly size?: number;
  /** S3's per-key ordering value (hex); compare with compareSequencers. */
  readonly sequencer: string;
  readonly time?: string;
}

export type ParsedRecord = { readonly ok: true; readonly messageId: string; readonly event: ObjectEvent } | { readonly ok: false; readonly messageId: string; readonly reason: string };

/** s3://bucket/key: the ledger's document key. */
export function sourceKey(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/**
 * S3 sequencers order events for one key. AWS: compare them as strings after left-padding the shorter
 * one with zeros (they are hexadecimal and may differ in length).
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}

export function parseRecord(record: SqsRecord): ParsedRecord {
  const messageId = typeof record?.messageId === 'string' ? record.messageId : '(no messageId)';
  const fail = (reason: string): ParsedRecord => ({ ok: false, messageId, reason });
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(record.body);
  } catch {
    return fail('body is not JSON');
  }
  if (typeof message !== 'object' || message === null) return fail('body is not a JSON object');
  if (message.source !== 'aws.s3') return fail(`source ${JSON.stringify(message.source)} is not aws.s3`);
  const type = message['detail-type'];
  const kind = type === 'Object Created' ? 'created' : type === 'Object Deleted' ? 'deleted' : undefined;
  if (!kind) return fail(`detail-type ${JSON.stringify(type)} is neither "Object Created" nor "Object Deleted"`);
  const detail = message.detail as { bucket?: { name?: unknown }; object?: Record<string, unknown> } | undefined;
  const bucket = detail?.bucket?.name;
  const object = detail?.object;
  if (typeof bucket !== 'string' || bucket === '') return fail('detail.bucket.name is missing');
  if (typeof object?.key !== 'string' || object.key === '') return fail('detail.object.key is missing');
  if (typeof object.sequencer !== 'string' || !/^[0-9A-Fa-f]{1,64}$/.test(object.sequencer)) return fail('detail.object.sequencer is missing or not hexadecimal');
  const optionalString = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    ok: true,
    messageId,
    event: {
      kind,
      bucket,
      key: object.key,
      versionId: optionalString(object['version-id']),
      etag: optionalString(object.etag),
      size: typeof object.size === 'number' && Number.isFinite(object.size) ? object.size : undefined,
      sequencer: object.sequencer,
      time: optionalString(message.time),
    },
  };
}
