import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERASURE_HANDLERS, type ErasureHandler } from '../../constructs/privacy/erasure-function';
import { actionsOf, build, statementsOf } from './erasure-fixture';
import { sdkCallsOf } from '../support/sdk-calls';

const { erasure, template, id } = build();
const statements = (name: ErasureHandler) => statementsOf(template, id(erasure.functions[name].role));
const granted = (name: ErasureHandler) => new Set(statements(name).flatMap(actionsOf));
const needed = (name: ErasureHandler) => sdkCallsOf(`constructs/privacy/handlers/${name}.ts`);

/** What a function's role holds besides its handler's SDK calls: the runtime's own (logs, VPC, DLQ, X-Ray) and the keys. */
const INFRASTRUCTURE = /^(kms|logs|ec2|xray|sqs):/;

/** Statements that allow `action` on a resource whose rendering contains `resource`. */
function allows(name: ErasureHandler, action: string, resource: string): boolean {
  return statements(name).some((statement) => actionsOf(statement).includes(action) && JSON.stringify(statement.Resource).includes(resource));
}

const ref = (construct: object) => id(construct);

describe('erasure function roles against their handlers\' SDK calls', () => {
  it('knows every handler file (a new handler gets a role and is checked here)', () => {
    const files = readdirSync(resolve(__dirname, '../../constructs/privacy/handlers')).map((file) => file.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual([...ERASURE_HANDLERS].sort());
  });

  it.each(ERASURE_HANDLERS)('%s: the role allows every call its code sends', (name) => {
    const calls = needed(name);
    const actions = granted(name);
    const missing = calls.flatMap((call) => call.actions.filter((action) => !actions.has(action)).map((action) => `${call.command} (${call.file}) needs ${action}`));
    expect(missing).toEqual([]);
  });

  it.each(ERASURE_HANDLERS)('%s: the role allows nothing its code does not send (beyond keys and the runtime\'s own)', (name) => {
    const used = new Set(needed(name).flatMap((call) => call.actions));
    // Athena's GetQueryResults reads the result file with the caller's credentials (s3:GetObject, s3:ListBucket).
    if (used.has('athena:GetQueryResults')) ['s3:GetObject', 's3:ListBucket'].forEach((action) => used.add(action));
    const extra = [...granted(name)].filter((action) => !used.has(action) && !INFRASTRUCTURE.test(action));
    expect(extra).toEqual([]);
  });

  it('finds the calls a handler reaches through shared modules, and not the ones it cannot reach', () => {
    const commands = (name: ErasureHandler) => new Set(needed(name).map((call) => call.command));
    // record reaches RequestStore.get/close (GetItem, UpdateItem), never enqueue (PutItem) or the scan.
    expect([...commands('record')]).toEqual(expect.arrayContaining(['DynamoDB.GetItem', 'DynamoDB.UpdateItem', 'S3.GetObjectLockConfiguration']));
    expect(commands('record').has('DynamoDB.PutItem')).toBe(false);
    expect(commands('record').has('SecretsManager.GetSecretValue')).toBe(false);
    // rewrite-objects carries tags over from the version it read.
    const rewrite = needed('rewrite-objects').flatMap((call) => call.actions);
    expect(rewrite).toEqual(expect.arrayContaining(['s3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:DeleteObjectVersion']));
    expect(commands('forget-vectors')).toEqual(new Set(['S3.GetObject', 'RDS.Signer']));
  });
});

describe('erasure function roles: resources of the calls that were missing', () => {
  const work = erasure.workBucket;
  const ledger = erasure.ledgerBucket;

  it('rewrite-objects reads the batch\'s subjects file and carries tags over on the raw dataset\'s prefix only', () => {
    expect(allows('rewrite-objects', 's3:GetObject', 'subjects/*')).toBe(true);
    expect(allows('rewrite-objects', 's3:GetObjectVersionTagging', '/events/*')).toBe(true);
    expect(allows('rewrite-objects', 's3:PutObjectTagging', '/events/*')).toBe(true);
    expect(allows('rewrite-objects', 's3:PutObjectTagging', 'events_curated')).toBe(false);
  });

  it('forget-vectors reads the subjects file and decrypts it with the privacy key', () => {
    expect(allows('forget-vectors', 's3:GetObject', 'subjects/*')).toBe(true);
    expect(JSON.stringify(statements('forget-vectors').find((statement) => statement.Sid === 'ReadSubjects')?.Resource)).toContain(ref(work));
    expect(allows('forget-vectors', 'kms:Decrypt', ref(erasure.key))).toBe(true);
  });

  it('record and monthly-report read the ledger bucket\'s Object Lock configuration; record holds no salt grant', () => {
    for (const name of ['record', 'monthly-report'] as const) expect(allows(name, 's3:GetBucketObjectLockConfiguration', ref(ledger))).toBe(true);
    expect(granted('record').has('secretsmanager:GetSecretValue')).toBe(false);
  });

  it('physical-check closes requests in the request table and deletes versions on the Iceberg prefix only', () => {
    expect(allows('physical-check', 'dynamodb:UpdateItem', ref(erasure.requestTable))).toBe(true);
    expect(allows('physical-check', 's3:DeleteObjectVersion', '/events_curated/*')).toBe(true);
    expect(allows('physical-check', 's3:DeleteObjectVersion', '/events/*')).toBe(false);
  });
});
