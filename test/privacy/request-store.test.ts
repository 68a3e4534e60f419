/**
 * constructs/privacy/request-store.ts on moto's DynamoDB with the real SDK: idempotent enqueue, claim
 * races between two batches, release, close (subjects removed, hashes kept), stale running requests,
 * and scans that never return subject ids.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RequestStore, type DynamoSend } from '../../constructs/privacy/request-store';
import { DEFAULT_DEADLINE_DAYS, validateErasureRequest } from '../../constructs/privacy/request';
import { subjectHash } from '../../constructs/privacy/subject-hash';
import { createRequestTable, startPrivacyMoto, type PrivacyMoto } from './harness';

const salt = { value: 's'.repeat(64), version: 'salt-v1' };
const received = new Date('2026-12-01T10:00:00.000Z');
let env: PrivacyMoto;
let store: RequestStore;

beforeAll(async () => {
  env = await startPrivacyMoto();
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  store = new RequestStore(env.dynamo, await createRequestTable(env.dynamo));
});

const enqueue = (subjects: string[], regulation?: string, at = received) =>
  store.enqueue(validateErasureRequest({ subjects, ...(regulation ? { regulation } : {}) }), { salt, receivedAt: at, deadlines: DEFAULT_DEADLINE_DAYS });

async function rawItem(requestId: string) {
  const { Item } = await env.dynamo.send(new GetItemCommand({ TableName: store.tableName, Key: { requestId: { S: requestId } }, ConsistentRead: true }));
  return Item;
}

describe('enqueue', () => {
  it('stores subjects, their keyed hashes, the salt version, status queued and the deadline', async () => {
    const result = await enqueue(['u2', 'u1'], 'ccpa');
    expect(result).toEqual({ requestId: expect.stringMatching(/^[0-9a-f]{32}$/), deadline: '2027-01-15T10:00:00.000Z', duplicate: false });
    const item = await rawItem(result.requestId);
    expect(item?.subjects?.SS?.sort()).toEqual(['u1', 'u2']);
    expect(item?.subjectHashes?.L?.map((v) => v.S)).toEqual([subjectHash(salt, 'u1'), subjectHash(salt, 'u2')]);
    expect(await store.get(result.requestId)).toMatchObject({ status: 'queued', regulation: 'ccpa', attempts: 0, saltVersion: 'salt-v1', receivedAt: received.toISOString() });
  });

  it('the same request twice (any order) is one request: the second is a duplicate and changes nothing', async () => {
    const first = await enqueue(['a', 'b']);
    const second = await enqueue(['b', 'a'], undefined, new Date('2026-12-03T00:00:00.000Z'));
    expect(second).toEqual({ requestId: first.requestId, deadline: first.deadline, duplicate: true });
    expect((await store.openRequests()).map((r) => r.requestId)).toEqual([first.requestId]);
    expect((await store.get(first.requestId))?.receivedAt).toBe(received.toISOString());
    // Another regulation is another request.
    expect((await enqueue(['a', 'b'], 'ccpa')).duplicate).toBe(false);
  });

  it('a completed request asked again is queued again with a new deadline', async () => {
    const first = await enqueue(['a']);
    await store.claim('b1', 10, received);
    expect(await store.close(first.requestId, 'b1', 'completed', received)).toBe(true);
    const again = await enqueue(['a'], undefined, new Date('2027-02-01T00:00:00.000Z'));
    expect(again).toMatchObject({ requestId: first.requestId, duplicate: false, deadline: '2027-03-03T00:00:00.000Z' });
    expect((await rawItem(first.requestId))?.subjects?.SS).toEqual(['a']);
  });
});

describe('claim', () => {
  it('claims queued requests earliest deadline first, up to the maximum, with their subjects', async () => {
    const late = await enqueue(['late'], 'ccpa');
    const early = await enqueue(['early1', 'early0']);
    const claimed = await store.claim('batch-1', 1, received);
    expect(claimed).toEqual([{ requestId: early.requestId, subjects: ['early0', 'early1'] }]);
    expect(await store.get(early.requestId)).toMatchObject({ status: 'running', batchId: 'batch-1' });
    expect(await store.get(late.requestId)).toMatchObject({ status: 'queued' });
  });

  it('two batches claiming at once never share a request: the one that loses the race between scan and update gets nothing', async () => {
    // Deterministic interleaving: batch B scans, then batch A claims everything, then B's conditional
    // updates run (and must all fail). moto does not make concurrent conditional writes atomic (two
    // parallel requests can both pass a condition under load), so the race is staged rather than left
    // to timing; DynamoDB itself evaluates each condition atomically with its write.
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => enqueue([`s${i}`])));
    let raced = false;
    const racing: DynamoSend = {
      send: (async (command: unknown) => {
        if (!raced && command instanceof UpdateItemCommand) {
          raced = true;
          expect((await store.claim('batch-a', 50, received)).map((c) => c.requestId).sort()).toEqual(ids.map((r) => r.requestId).sort());
        }
        return env.dynamo.send(command as never);
      }) as DynamoSend['send'],
    };
    expect(await new RequestStore(racing, store.tableName).claim('batch-b', 50, received)).toEqual([]);
    expect(raced).toBe(true);
    for (const r of ids) expect((await store.get(r.requestId))?.batchId).toBe('batch-a');
  });

  it('two batches claiming one after the other split the queue by the maximum', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => enqueue([`s${i}`])));
    const a = await store.claim('batch-a', 3, received);
    const b = await store.claim('batch-b', 3, received);
    expect([a.length, b.length]).toEqual([3, 2]);
    expect([...a, ...b].map((c) => c.requestId).sort()).toEqual(ids.map((r) => r.requestId).sort());
  });

  it('a request running in another batch is not taken; a retried claim of the same batch gets its own back', async () => {
    const r = await enqueue(['x']);
    expect(await store.claim('batch-1', 10, received)).toHaveLength(1);
    expect(await store.claim('batch-2', 10, received)).toEqual([]);
    expect(await store.claim('batch-1', 10, received)).toEqual([{ requestId: r.requestId, subjects: ['x'] }]);
  });

  it('a request left running by a dead batch is claimable after a day', async () => {
    await enqueue(['x']);
    await store.claim('dead', 10, received);
    expect(await store.claim('next', 10, new Date(received.getTime() + 23 * 3_600_000))).toEqual([]);
    expect(await store.claim('next', 10, new Date(received.getTime() + 25 * 3_600_000))).toHaveLength(1);
  });
});

describe('release and close', () => {
  it('release puts this batch\'s requests back with attempts + 1 and the error; another batch\'s are untouched', async () => {
    const mine = await enqueue(['m']);
    await store.claim('mine', 10, received);
    const theirs = await enqueue(['t']);
    await store.claim('theirs', 10, received);
    expect(await store.release('mine', [mine.requestId, theirs.requestId], 'Athena query failed')).toBe(1);
    expect(await store.get(mine.requestId)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'Athena query failed' });
    expect(await store.get(theirs.requestId)).toMatchObject({ status: 'running', batchId: 'theirs' });
    expect(await store.release('mine', ['0'.repeat(32)], 'x')).toBe(0);
    expect(await store.release('mine', [mine.requestId], 'e'.repeat(5000))).toBe(0);
  });

  it('completed removes the subjects and keeps the hashes; a second close by a retry is refused', async () => {
    const r = await enqueue(['a', 'b']);
    await store.claim('b1', 10, received);
    expect(await store.close(r.requestId, 'b1', 'completed', new Date('2026-12-02T00:00:00.000Z'))).toBe(true);
    const item = await rawItem(r.requestId);
    expect(item?.subjects).toBeUndefined();
    expect(item?.subjectHashes?.L).toHaveLength(2);
    expect(JSON.stringify(item)).not.toMatch(/"S":"a"|"S":"b"/);
    expect(await store.get(r.requestId)).toMatchObject({ status: 'completed', closedAt: '2026-12-02T00:00:00.000Z' });
    expect(await store.close(r.requestId, 'b1', 'completed', received)).toBe(false);
  });

  it('verification-failed stays open with its subjects and lastError, and the next batch claims it', async () => {
    const r = await enqueue(['a']);
    await store.claim('b1', 10, received);
    expect(await store.close(r.requestId, 'b1', 'verification-failed', received, 'events: 3 rows remain')).toBe(true);
    expect(await store.get(r.requestId)).toMatchObject({ status: 'verification-failed', attempts: 1, lastError: 'events: 3 rows remain' });
    expect((await rawItem(r.requestId))?.subjects?.SS).toEqual(['a']);
    expect(await store.claim('b2', 10, received)).toEqual([{ requestId: r.requestId, subjects: ['a'] }]);
  });

  it('awaiting-physical-removal is closed (no subjects, not claimable, not open for the deadline monitor) until marked physically removed', async () => {
    const r = await enqueue(['a']);
    await store.claim('b1', 10, received);
    await store.close(r.requestId, 'b1', 'awaiting-physical-removal', received);
    expect((await rawItem(r.requestId))?.subjects).toBeUndefined();
    expect(await store.claim('b2', 10, received)).toEqual([]);
    expect(await store.openRequests()).toEqual([]);
    expect(await store.get(r.requestId)).toMatchObject({ status: 'awaiting-physical-removal' });
    expect(await store.markPhysicallyRemoved(r.requestId, received)).toBe(true);
    expect(await store.markPhysicallyRemoved(r.requestId, received)).toBe(false);
    expect(await store.get(r.requestId)).toMatchObject({ status: 'completed' });
  });
});

describe('open-request scan', () => {
  it('returns every open request across pages, without subjects', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => enqueue([`subject-${i}-${'p'.repeat(200)}`])));
    const open = await store.openRequests();
    expect(open).toHaveLength(30);
    expect(JSON.stringify(open)).not.toContain('subject-');
    expect(Object.keys(open[0]).sort()).toEqual(['attempts', 'deadline', 'receivedAt', 'regulation', 'requestId', 'saltVersion', 'status', 'subjectHashes']);
  });
});
