/**
 * The erasure request table (DynamoDB, partition key `requestId`): every state change is one conditional
 * write, so two batches (or a retried Lambda) can never take, release or close the same request twice.
 *
 * Lifecycle: `queued` → (claim) `running` → (record) `completed` | `awaiting-physical-removal` (both
 * closed: `subjects` removed, `subjectHashes` kept; the second until `markPhysicallyRemoved`) |
 * `verification-failed` (open: `subjects` kept,
 * `lastError` set, claimed again by the next batch); `running` → (release) `queued` with `attempts + 1`.
 * A request left `running` by a batch that died without releasing it (a timeout, a deleted execution)
 * is claimable again after `staleAfterMs`.
 *
 * Subject ids are read from the table only by `claim` (to write the batch's subjects file); every scan
 * used for monitoring projects them out.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { deadlineFor, type DeadlineDays, type ErasureRequest, type Regulation } from './request';
import { requestIdFor, subjectHash, type Salt } from './subject-hash';

export const REQUEST_STATUSES = ['queued', 'running', 'awaiting-physical-removal', 'completed', 'verification-failed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** Statuses a batch may claim. */
export const CLAIMABLE: readonly RequestStatus[] = ['queued', 'verification-failed'];
/**
 * Statuses of requests not yet erased: what the deadline monitor counts. `awaiting-physical-removal` is
 * not among them: its rows were deleted and verified before the close (the ledger says whether that met
 * the deadline); the old Iceberg files have their own check and alarm (PhysicalRemovalOverdue).
 */
export const OPEN: readonly RequestStatus[] = ['queued', 'running', 'verification-failed'];
/** A `running` request not closed or released within a day is claimable again. */
export const DEFAULT_STALE_AFTER_MS = 24 * 3_600_000;
/** `lastError` is cut to this length (Step Functions causes can be long). */
export const MAX_ERROR_LENGTH = 1_000;

export type DynamoSend = Pick<DynamoDBClient, 'send'>;

export interface EnqueueResult {
  readonly requestId: string;
  readonly deadline: string;
  /** True when an open request for the same subjects and regulation already existed (nothing changed). */
  readonly duplicate: boolean;
}

/** What the monitor and the record step read about a request: never its subjects. */
export interface RequestSummary {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly regulation: Regulation;
  readonly reference?: string;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly attempts: number;
  readonly batchId?: string;
  readonly subjectHashes: readonly string[];
  readonly saltVersion?: string;
  readonly claimedAt?: string;
  readonly closedAt?: string;
  readonly lastError?: string;
}

export interface ClaimedRequest {
  readonly requestId: string;
  readonly subjects: readonly string[];
}

export type CloseOutcome = 'completed' | 'awaiting-physical-removal' | 'verification-failed';

const SUMMARY_ATTRIBUTES = ['requestId', 'status', 'regulation', 'reference', 'receivedAt', 'deadline', 'attempts', 'batchId', 'subjectHashes', 'saltVersion', 'claimedAt', 'closedAt', 'lastError'];

export class RequestStore {
  constructor(
    private readonly client: DynamoSend,
    readonly tableName: string,
  ) {}

  /**
   * Queues a request (idempotent). A request with the same id that is still open is a duplicate: left
   * as it is. A completed one is queued again (new receipt, new deadline): a person may ask again once
   * new data about them has arrived.
   */
  async enqueue(request: ErasureRequest, options: { salt: Salt; receivedAt: Date; deadlines: DeadlineDays }): Promise<EnqueueResult> {
    const requestId = requestIdFor(options.salt, request.regulation, request.subjects);
    const deadline = deadlineFor(request.regulation, options.receivedAt, options.deadlines).toISOString();
    const item: Record<string, AttributeValue> = {
      requestId: { S: requestId },
      subjects: { SS: [...request.subjects] },
      subjectHashes: { L: request.subjects.map((subject) => ({ S: subjectHash(options.salt, subject) })) },
      saltVersion: { S: options.salt.version },
      regulation: { S: request.regulation },
      status: { S: 'queued' },
      receivedAt: { S: options.receivedAt.toISOString() },
      deadline: { S: deadline },
      attempts: { N: '0' },
      ...(request.reference !== undefined ? { reference: { S: request.reference } } : {}),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(requestId) OR #status = :completed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':completed': { S: 'completed' } },
        }),
      );
      return { requestId, deadline, duplicate: false };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && (error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
      const existing = await this.get(requestId);
      return { requestId, deadline: existing?.deadline ?? deadline, duplicate: true };
    }
  }

  /** One request's summary (consistent read), or undefined. */
  async get(requestId: string): Promise<RequestSummary | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { requestId: { S: requestId } }, ConsistentRead: true, ProjectionExpression: projection(SUMMARY_ATTRIBUTES).expression, ExpressionAttributeNames: projection(SUMMARY_ATTRIBUTES).names }),
    );
    return Item ? summaryOf(Item) : undefined;
  }

  /**
   * Claims up to `maxRequests` claimable requests for `batchId`, earliest deadline first: each is one
   * conditional update, so a request another batch took in between is skipped, never shared. A retried
   * claim of the same batch gets back what it had already claimed.
   */
  async claim(batchId: string, maxRequests: number, now: Date, staleAfterMs = DEFAULT_STALE_AFTER_MS): Promise<ClaimedRequest[]> {
    const staleBefore = new Date(now.getTime() - staleAfterMs).toISOString();
    const candidates = await this.scan(
      '#status IN (:queued, :failed) OR (#status = :running AND (batchId = :batch OR claimedAt < :stale))',
      { ':queued': { S: 'queued' }, ':failed': { S: 'verification-failed' }, ':running': { S: 'running' }, ':batch': { S: batchId }, ':stale': { S: staleBefore } },
    );
    candidates.sort((a, b) => a.deadline.localeCompare(b.deadline) || a.requestId.localeCompare(b.requestId));
    const claimed: ClaimedRequest[] = [];
    for (const candidate of candidates) {
      if (claimed.length >= maxRequests) break;
      try {
        const { Attributes } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { requestId: { S: candidate.requestId } },
            UpdateExpression: 'SET #status = :running, batchId = :batch, claimedAt = :now',
            ConditionExpression: 'attribute_exists(subjects) AND (#status IN (:queued, :failed) OR (#status = :running AND (batchId = :batch OR claimedAt < :stale)))',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':running': { S: 'running' },
              ':queued': { S: 'queued' },
              ':failed': { S: 'verification-failed' },
              ':batch': { S: batchId },
              ':stale': { S: staleBefore },
              ':now': { S: now.toISOString() },
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        claimed.push({ requestId: candidate.requestId, subjects: [...(Attributes?.subjects?.SS ?? [])].sort() });
      } catch (error) {
        if ((error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
        // Taken by another batch (or closed) since the scan: not ours.
      }
    }
    return claimed;
  }

  /** Puts this batch's running requests back in the queue (attempts + 1, lastError); returns how many. */
  async release(batchId: string, requestIds: readonly string[], error: string): Promise<number> {
    let released = 0;
    for (const requestId of requestIds) {
      const done = await this.conditionalUpdate(requestId, 'SET #status = :queued, attempts = if_not_exists(attempts, :zero) + :one, lastError = :error', '#status = :running AND batchId = :batch', {
        ':queued': { S: 'queued' },
        ':zero': { N: '0' },
        ':one': { N: '1' },
        ':error': { S: truncate(error) },
        ':running': { S: 'running' },
        ':batch': { S: batchId },
      });
      if (done) released += 1;
    }
    return released;
  }

  /**
   * Closes a request this batch ran. `completed` and `awaiting-physical-removal` remove the subject ids
   * (the hashes stay); `verification-failed` keeps them and stays open with `lastError`.
   * Returns false when the request is not running in this batch (already closed by a retry, or released).
   */
  async close(requestId: string, batchId: string, outcome: CloseOutcome, at: Date, lastError?: string): Promise<boolean> {
    const values: Record<string, AttributeValue> = { ':outcome': { S: outcome }, ':running': { S: 'running' }, ':batch': { S: batchId } };
    let update: string;
    if (outcome === 'verification-failed') {
      update = 'SET #status = :outcome, attempts = if_not_exists(attempts, :zero) + :one, lastError = :error';
      Object.assign(values, { ':zero': { N: '0' }, ':one': { N: '1' }, ':error': { S: truncate(lastError ?? 'verification failed') } });
    } else {
      update = 'SET #status = :outcome, closedAt = :at REMOVE subjects, lastError';
      values[':at'] = { S: at.toISOString() };
    }
    return this.conditionalUpdate(requestId, update, '#status = :running AND batchId = :batch', values);
  }

  /** `awaiting-physical-removal` → `completed` once the physical check found every file gone. */
  async markPhysicallyRemoved(requestId: string, at: Date): Promise<boolean> {
    return this.conditionalUpdate(requestId, 'SET #status = :completed, physicallyRemovedAt = :at', '#status = :awaiting', {
      ':completed': { S: 'completed' },
      ':awaiting': { S: 'awaiting-physical-removal' },
      ':at': { S: at.toISOString() },
    });
  }

  /** Every open request (projection without subjects), for the deadline monitor. */
  async openRequests(): Promise<RequestSummary[]> {
    const values = Object.fromEntries(OPEN.map((status, i) => [`:open${i}`, { S: status }]));
    return this.scan(`#status IN (${Object.keys(values).join(', ')})`, values);
  }

  private async scan(filter: string, values: Record<string, AttributeValue>): Promise<RequestSummary[]> {
    const { expression, names } = projection(SUMMARY_ATTRIBUTES);
    const found: RequestSummary[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: filter,
          ProjectionExpression: expression,
          ExpressionAttributeNames: { ...names, '#status': 'status' },
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) found.push(summaryOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  private async conditionalUpdate(requestId: string, update: string, condition: string, values: Record<string, AttributeValue>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { requestId: { S: requestId } },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(requestId) AND ${condition}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function projection(attributes: readonly string[]): { expression: string; names: Record<string, string> } {
  const names = Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name]));
  return { expression: Object.keys(names).join(', '), names };
}

function summaryOf(item: Record<string, AttributeValue>): RequestSummary {
  const s = (name: string) => item[name]?.S;
  return {
    requestId: String(s('requestId')),
    status: String(s('status')) as RequestStatus,
    regulation: String(s('regulation')) as Regulation,
    receivedAt: String(s('receivedAt')),
    deadline: String(s('deadline')),
    attempts: Number(item.attempts?.N ?? '0'),
    subjectHashes: (item.subjectHashes?.L ?? []).map((value) => String(value.S)),
    ...optionalString('reference', s('reference')),
    ...optionalString('batchId', s('batchId')),
    ...optionalString('saltVersion', s('saltVersion')),
    ...optionalString('claimedAt', s('claimedAt')),
    ...optionalString('closedAt', s('closedAt')),
    ...optionalString('lastError', s('lastError')),
  };
}

function optionalString<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
