import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  InvalidRequestException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTableDdl, icebergTableSpec, type IcebergTableSpec } from '../../constructs/catalog/iceberg/ddl';
import { AthenaQueryRunner, createHandler, handler, type IcebergTableEvent } from '../../constructs/catalog/iceberg/handler';
import { dailyActiveUsers, featureAdoption } from '../../config/datasets/analytics';
import { startMotoServer, type MotoServer } from '../support/moto-server';

// Offline SDK clients: never probe the instance metadata service; credentials and endpoint are explicit.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const DATABASE = 'lakehouse_test_analytics';
const quiet = () => undefined;

const specOf = (dataset = dailyActiveUsers): IcebergTableSpec =>
  icebergTableSpec(dataset, { database: DATABASE, location: `s3://lakehouse-test-analytics/${dataset.name}/` });

let requestCounter = 0;
function event(type: 'Create' | 'Update' | 'Delete', spec: IcebergTableSpec, workGroup: string, old?: IcebergTableSpec): IcebergTableEvent {
  requestCounter += 1;
  return {
    RequestType: type,
    RequestId: `request-${requestCounter}`,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/lakehouse-test-catalog/1',
    LogicalResourceId: 'DailyActiveUsersTable',
    PhysicalResourceId: type === 'Create' ? undefined : `${(old ?? spec).database}.${(old ?? spec).table}`,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', Spec: JSON.stringify(spec), WorkGroup: workGroup },
    OldResourceProperties: old ? { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', Spec: JSON.stringify(old), WorkGroup: workGroup } : undefined,
  };
}

describe('handler against moto (real Athena wire protocol, no SQL execution)', () => {
  let moto: MotoServer;
  let endpoint: string;
  let athena: AthenaClient;
  let workGroupCounter = 0;

  beforeAll(async () => {
    moto = await startMotoServer();
    endpoint = moto.endpoint;
    athena = new AthenaClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  });

  afterAll(async () => {
    athena?.destroy();
    await moto?.stop();
  });

  /** A fresh workgroup per test, so that its query list holds exactly what that test ran. */
  async function newWorkGroup(): Promise<string> {
    workGroupCounter += 1;
    const name = `lakehouse-test-ddl-${workGroupCounter}`;
    await athena.send(new CreateWorkGroupCommand({ Name: name }));
    return name;
  }

  /** Every query moto recorded in the workgroup, with what it was asked to run and where. */
  async function executions(workGroup: string) {
    const { QueryExecutionIds = [] } = await athena.send(new ListQueryExecutionsCommand({ WorkGroup: workGroup }));
    return Promise.all(
      QueryExecutionIds.map(async (id) => {
        const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        return {
          id,
          query: QueryExecution?.Query,
          workGroup: QueryExecution?.WorkGroup,
          database: QueryExecution?.QueryExecutionContext?.Database,
          statementType: QueryExecution?.StatementType,
        };
      }),
    );
  }

  const onEvent = (options: { initialPollDelayMs?: number; log?: (message: string) => void } = {}) =>
    createHandler({ athena, log: options.log ?? quiet, initialPollDelayMs: options.initialPollDelayMs ?? 10, maxPollDelayMs: 50 });

  it('Create runs exactly the CREATE TABLE DDL, in the given workgroup and database', async () => {
    const workGroup = await newWorkGroup();
    const spec = specOf();
    const result = await onEvent()(event('Create', spec, workGroup));

    expect(result.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    expect(result.Data).toMatchObject({ Database: DATABASE, Table: 'daily_active_users', Location: 's3://lakehouse-test-analytics/daily_active_users/' });
    const recorded = await executions(workGroup);
    expect(recorded).toEqual([
      { id: result.Data.QueryExecutionIds, query: createTableDdl(spec), workGroup, database: DATABASE, statementType: 'DDL' },
    ]);
    expect(recorded[0].query).toMatch(/^CREATE TABLE IF NOT EXISTS `lakehouse_test_analytics`\.`daily_active_users` \(/);
  });

  it('Update with an added column runs ADD COLUMNS with only that column, then sets its comment', async () => {
    const workGroup = await newWorkGroup();
    const old = specOf();
    const next: IcebergTableSpec = { ...old, columns: [...old.columns, { name: 'new_users', type: 'bigint', comment: 'First-time users [internal]' }] };
    const result = await onEvent()(event('Update', next, workGroup, old));

    expect(result.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    const recorded = await executions(workGroup);
    expect(recorded.map((execution) => execution.query)).toEqual([
      'ALTER TABLE `lakehouse_test_analytics`.`daily_active_users` ADD COLUMNS (`new_users` bigint)',
      "ALTER TABLE `lakehouse_test_analytics`.`daily_active_users` CHANGE COLUMN `new_users` `new_users` bigint COMMENT 'First-time users [internal]'",
    ]);
    expect(recorded.every((execution) => execution.workGroup === workGroup && execution.database === DATABASE)).toBe(true);
    expect(result.Data.QueryExecutionIds.split(',')).toEqual(recorded.map((execution) => execution.id));
  });

  it('Update without a schema change runs nothing and keeps the physical ID', async () => {
    const workGroup = await newWorkGroup();
    const result = await onEvent()(event('Update', specOf(), workGroup, specOf()));
    expect(result.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    expect(result.Data.QueryExecutionIds).toBe('');
    expect(await executions(workGroup)).toEqual([]);
  });

  it('Update that renames the table is refused before anything runs (replacement would orphan the table)', async () => {
    const workGroup = await newWorkGroup();
    const old = specOf();
    await expect(onEvent()(event('Update', { ...old, table: 'dau' }, workGroup, old))).rejects.toThrow(
      'Refusing to change Iceberg table lakehouse_test_analytics.daily_active_users into lakehouse_test_analytics.dau',
    );
    await expect(onEvent()(event('Update', { ...old, database: 'lakehouse_test_curated' }, workGroup, old))).rejects.toThrow(
      'would make CloudFormation replace the resource, and the existing table and its data would be orphaned',
    );
    expect(await executions(workGroup)).toEqual([]);
  });

  it('Update that removes a column is refused, naming table and column; nothing runs', async () => {
    const workGroup = await newWorkGroup();
    const old = specOf(featureAdoption);
    const next = { ...old, columns: old.columns.filter((column) => column.name !== 'users') };
    await expect(onEvent()(event('Update', next, workGroup, old))).rejects.toThrow(
      'Iceberg table lakehouse_test_analytics.feature_adoption: column "users" was removed from the declaration',
    );
    expect(await executions(workGroup)).toEqual([]);
  });

  it('Delete runs nothing and returns the physical ID: the table is retained', async () => {
    const workGroup = await newWorkGroup();
    const spec = specOf();
    const result = await onEvent()(event('Delete', spec, workGroup, undefined));
    expect(result.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    expect(await executions(workGroup)).toEqual([]);
    // Even a Delete carrying a spec that no longer validates (a failed create rolling back) succeeds.
    const broken = await onEvent()({ ...event('Delete', spec, workGroup), ResourceProperties: { Spec: '{not json', WorkGroup: workGroup } });
    expect(broken.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    expect(await executions(workGroup)).toEqual([]);
  });

  it('refuses a spec property that is not JSON or not valid, before running anything', async () => {
    const workGroup = await newWorkGroup();
    const create = event('Create', specOf(), workGroup);
    await expect(onEvent()({ ...create, ResourceProperties: { ...create.ResourceProperties, Spec: '{' } })).rejects.toThrow(
      'ResourceProperties.Spec is not valid JSON',
    );
    const rooted = { ...specOf(), location: 's3://lakehouse-test-analytics/' };
    await expect(onEvent()(event('Create', rooted, workGroup))).rejects.toThrow('is a bucket root');
    await expect(onEvent()({ ...create, ResourceProperties: { Spec: create.ResourceProperties.Spec, WorkGroup: '' } })).rejects.toThrow(
      'ResourceProperties.WorkGroup is missing',
    );
    expect(await executions(workGroup)).toEqual([]);
  });

  it('polls with exponential backoff through QUEUED and RUNNING until SUCCEEDED', async () => {
    // Make moto's executions advance one state every second GetQueryExecution (QUEUED → RUNNING → SUCCEEDED).
    const setTransition = (body: object) =>
      fetch(`${endpoint}/moto-api/state-manager/${'transition' in body ? 'set' : 'unset'}-transition`, { method: 'POST', body: JSON.stringify(body) });
    await setTransition({ model_name: 'athena::execution', transition: { progression: 'manual', times: 2 } });
    try {
      const workGroup = await newWorkGroup();
      const waits: number[] = [];
      const runner = new AthenaQueryRunner({
        athena,
        log: quiet,
        initialPollDelayMs: 20,
        maxPollDelayMs: 50,
        sleep: (ms) => {
          waits.push(ms);
          return new Promise((resolve) => setTimeout(resolve, ms));
        },
      });
      const result = await createHandler({ runner })(event('Create', specOf(), workGroup));
      // Four polls (QUEUED, RUNNING, RUNNING, SUCCEEDED), three waits, doubling up to the cap.
      expect(waits).toEqual([20, 40, 50]);
      expect((await executions(workGroup)).map((execution) => execution.id)).toEqual([result.Data.QueryExecutionIds]);
    } finally {
      await setTransition({ model_name: 'athena::execution' });
    }
  });

  it('the SDK itself retries a throttled StartQueryExecution (TooManyRequestsException); the statement runs once', async () => {
    // A proxy in front of moto answers the first two StartQueryExecution calls as Athena does at its
    // concurrent-query quota, and forwards everything else.
    let starts = 0;
    const proxy: Server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        if (incoming.headers['x-amz-target'] === 'AmazonAthena.StartQueryExecution') {
          starts += 1;
          if (starts <= 2) {
            outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
            outgoing.end(JSON.stringify({ __type: 'TooManyRequestsException', Message: 'Rate exceeded', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' }));
            return;
          }
        }
        const forward = httpRequest(`${endpoint}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        });
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new AthenaClient({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, region: REGION, credentials: CREDENTIALS });
    try {
      const workGroup = await newWorkGroup();
      const messages: string[] = [];
      const result = await createHandler({ athena: proxied, log: (message) => messages.push(message), initialPollDelayMs: 10 })(
        event('Create', specOf(), workGroup),
      );
      expect(starts).toBe(3);
      expect(messages.some((message) => message.includes('throttled'))).toBe(false); // the SDK's retries sufficed
      expect(await executions(workGroup)).toEqual([
        { id: result.Data.QueryExecutionIds, query: createTableDdl(specOf()), workGroup, database: DATABASE, statementType: 'DDL' },
      ]);
    } finally {
      proxied.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('query runner, with aws-sdk-client-mock for what moto cannot produce', () => {
  const client = new AthenaClient({ region: REGION, credentials: CREDENTIALS });
  const athena = mockClient(client);
  const workGroup = 'lakehouse-test-elt';

  /** A fake clock: sleeping advances it, and every wait is recorded. */
  function fakeClock() {
    const clock = { time: 1_000_000, waits: [] as number[] };
    return {
      clock,
      now: () => clock.time,
      sleep: async (ms: number) => {
        clock.waits.push(ms);
        clock.time += ms;
      },
    };
  }

  afterEach(() => {
    athena.reset();
    vi.useRealTimers();
    delete process.env.ICEBERG_DDL_TIMEOUT_MS;
  });

  it('a FAILED query fails the event with Athena’s reason, and is not stopped', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-failed' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-failed',
        Status: {
          State: 'FAILED',
          StateChangeReason: "line 1:8: mismatched input 'EXTERNAL'. Expecting: 'TABLE'",
          AthenaError: { ErrorCategory: 2, ErrorType: 1004, ErrorMessage: 'FAILED: SemanticException' },
        },
      },
    });
    const { now, sleep } = fakeClock();
    const promise = createHandler({ athena: client, log: quiet, now, sleep })(event('Create', specOf(), workGroup));
    await expect(promise).rejects.toThrow(
      "Athena query q-failed (create lakehouse_test_analytics.daily_active_users, statement 1/1) in workgroup lakehouse-test-elt FAILED: line 1:8: mismatched input 'EXTERNAL'. Expecting: 'TABLE' (FAILED: SemanticException)",
    );
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
    expect(start).toMatchObject({ QueryString: createTableDdl(specOf()), WorkGroup: workGroup, QueryExecutionContext: { Database: DATABASE } });
  });

  it('a CANCELLED query fails the event and says so', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-cancelled' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } } });
    const { now, sleep, clock } = fakeClock();
    await expect(createHandler({ athena: client, log: quiet, now, sleep })(event('Create', specOf(), workGroup))).rejects.toThrow(
      'Athena query q-cancelled (create lakehouse_test_analytics.daily_active_users, statement 1/1) in workgroup lakehouse-test-elt CANCELLED: Query cancelled by user',
    );
    expect(clock.waits).toEqual([250]);
  });

  it('a query still running at the timeout is stopped, after backoff doubling from 250 ms to 5 s', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-slow' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const { now, sleep, clock } = fakeClock();
    const promise = createHandler({ athena: client, log: quiet, now, sleep, timeoutMs: 60_000 })(event('Create', specOf(), workGroup));
    await expect(promise).rejects.toThrow(
      'Athena query q-slow (create lakehouse_test_analytics.daily_active_users, statement 1/1) in workgroup lakehouse-test-elt did not finish within the 60 s timeout (last state RUNNING); asked Athena to stop it (StopQueryExecution)',
    );
    expect(clock.waits.slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(Math.max(...clock.waits)).toBe(5000);
    expect(clock.waits.reduce((sum, wait) => sum + wait, 0)).toBe(60_000); // waited exactly up to the deadline
    expect(athena.commandCalls(StopQueryExecutionCommand).map((call) => call.args[0].input)).toEqual([{ QueryExecutionId: 'q-slow' }]);
  });

  it('the default timeout is 10 minutes (real setTimeout and Date.now, faked by vitest)', async () => {
    vi.useFakeTimers();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-default' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    let settled: unknown;
    const outcome = createHandler({ athena: client, log: quiet })(event('Create', specOf(), workGroup)).then(
      () => (settled = 'resolved'),
      (error: Error) => (settled = error),
    );
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000 - 1000);
    expect(settled).toBeUndefined();
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2000);
    await outcome;
    expect(String(settled)).toContain('did not finish within the 600 s timeout');
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it('ICEBERG_DDL_TIMEOUT_MS overrides the timeout, and a failing stop is reported rather than hiding the timeout', async () => {
    process.env.ICEBERG_DDL_TIMEOUT_MS = '40';
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-env' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'QUEUED' } } });
    athena.on(StopQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'Query has already finished', $metadata: {} }));
    const started = Date.now();
    await expect(createHandler({ athena: client, log: quiet, initialPollDelayMs: 5 })(event('Create', specOf(), workGroup))).rejects.toThrow(
      'did not finish within the 40 ms timeout (last state QUEUED); stopping it failed too: InvalidRequestException: Query has already finished',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the deadline also respects the Lambda’s remaining time', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-lambda' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const { now, sleep, clock } = fakeClock();
    await expect(
      createHandler({ athena: client, log: quiet, now, sleep })(event('Create', specOf(), workGroup), { getRemainingTimeInMillis: () => 45_000 }),
    ).rejects.toThrow('did not finish');
    // 45 s remaining minus the 15 s kept for answering CloudFormation.
    expect(clock.waits.reduce((sum, wait) => sum + wait, 0)).toBe(30_000);
  });

  it('keeps retrying a throttled StartQueryExecution beyond the SDK’s attempts, with the same idempotency token', async () => {
    const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED', $metadata: { httpStatusCode: 400 } });
    athena
      .on(StartQueryExecutionCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ QueryExecutionId: 'q-throttled' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const { now, sleep, clock } = fakeClock();
    const messages: string[] = [];
    const result = await createHandler({ athena: client, log: (message) => messages.push(message), now, sleep })(event('Create', specOf(), workGroup));

    expect(result.Data.QueryExecutionIds).toBe('q-throttled');
    const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(5);
    const tokens = new Set(starts.map((input) => input.ClientRequestToken));
    expect(tokens.size).toBe(1);
    expect([...tokens][0]).toMatch(/^[0-9a-f]{64}$/);
    expect(clock.waits).toEqual([250, 500, 1000, 2000]);
    expect(messages.filter((message) => message.includes('throttled the start'))).toHaveLength(4);
  });

  it('gives up on throttling at the deadline, and does not retry other errors', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    const first = fakeClock();
    await expect(
      createHandler({ athena: client, log: quiet, now: first.now, sleep: first.sleep, timeoutMs: 10_000 })(event('Create', specOf(), workGroup)),
    ).rejects.toThrow('Athena kept throttling the start of create lakehouse_test_analytics.daily_active_users, statement 1/1 in workgroup lakehouse-test-elt');
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);

    athena.reset();
    athena.on(StartQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'WorkGroup lakehouse-test-elt is disabled', $metadata: {} }));
    const second = fakeClock();
    await expect(createHandler({ athena: client, log: quiet, now: second.now, sleep: second.sleep })(event('Create', specOf(), workGroup))).rejects.toThrow(
      'Athena refused to start create lakehouse_test_analytics.daily_active_users, statement 1/1 in workgroup lakehouse-test-elt: InvalidRequestException: WorkGroup lakehouse-test-elt is disabled',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
    expect(second.clock.waits).toEqual([]);
  });

  it('an update runs its statements in order and stops at the first failure', async () => {
    athena.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: 'q-add' }).resolves({ QueryExecutionId: 'q-comment' });
    athena
      .on(GetQueryExecutionCommand, { QueryExecutionId: 'q-add' })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } })
      .on(GetQueryExecutionCommand, { QueryExecutionId: 'q-comment' })
      .resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Column comment too long' } } });
    const old = specOf();
    const next: IcebergTableSpec = { ...old, columns: [...old.columns, { name: 'new_users', type: 'bigint', comment: 'x [internal]' }] };
    const { now, sleep } = fakeClock();
    await expect(createHandler({ athena: client, log: quiet, now, sleep })(event('Update', next, workGroup, old))).rejects.toThrow(
      'Athena query q-comment (update lakehouse_test_analytics.daily_active_users, statement 2/2) in workgroup lakehouse-test-elt FAILED: Column comment too long',
    );
    expect(athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input.QueryString)).toEqual([
      'ALTER TABLE `lakehouse_test_analytics`.`daily_active_users` ADD COLUMNS (`new_users` bigint)',
      "ALTER TABLE `lakehouse_test_analytics`.`daily_active_users` CHANGE COLUMN `new_users` `new_users` bigint COMMENT 'x [internal]'",
    ]);
  });

  it('the exported Lambda entry point handles Delete without touching Athena', async () => {
    const result = await handler(event('Delete', specOf(), workGroup));
    expect(result.PhysicalResourceId).toBe('lakehouse_test_analytics.daily_active_users');
    expect(athena.calls()).toHaveLength(0);
  });
});
