/**
 * A loopback HTTP server speaking the three Athena operations the erasure workflow uses, in Athena's wire
 * format (JSON 1.1: `X-Amz-Target: AmazonAthena.<Operation>`, timestamps as epoch seconds, errors as
 * `{ __type, Message }`), so that the real `@aws-sdk/client-athena` (find-results' GetQueryResults, the
 * `.sync` Athena tasks of the state machine) talks to an engine that really runs the SQL. moto's Athena
 * never executes SQL (its results are canned), hence this server; the engine behind it is the test's
 * (`run`): DuckDB through the local lake's dialect mapping.
 *
 * - StartQueryExecution runs the statement to completion before answering (the state is then SUCCEEDED
 *   or FAILED; nothing polls a QUEUED/RUNNING state here, which the SDK callers handle anyway).
 * - GetQueryExecution returns the execution; GetQueryResults pages the rows (the header row first, as
 *   Athena does for SELECT), `MaxResults` per page with a `NextToken`.
 * Statements run one at a time, in arrival order (one DuckDB connection).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the engine answered: rows (every value already rendered as Athena renders it, null as null) or an update count. */
export type QueryOutcome =
  | { readonly kind: 'rows'; readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>; readonly rows: ReadonlyArray<ReadonlyArray<string | null>> }
  | { readonly kind: 'update'; readonly count: number }
  | { readonly kind: 'utility'; readonly note: string };

export interface RecordedQuery {
  readonly id: string;
  readonly sql: string;
  readonly workGroup: string | undefined;
  readonly state: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly outcome?: QueryOutcome;
}

export interface AthenaServer {
  readonly endpoint: string;
  /** Every statement started, in order. */
  readonly queries: RecordedQuery[];
  stop(): Promise<void>;
}

/** Athena's largest GetQueryResults page (the SDK default asks for it when MaxResults is unset). */
const MAX_PAGE = 1000;

export async function startAthenaServer(run: (sql: string) => Promise<QueryOutcome>): Promise<AthenaServer> {
  const queries: RecordedQuery[] = [];
  const submitted = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();

  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  const refuse = (response: ServerResponse, message: string) => reply(response, 400, { __type: 'InvalidRequestException', Message: message });
  const find = (id: unknown) => queries.find((query) => query.id === id);

  const execution = (query: RecordedQuery) => {
    const at = (submitted.get(query.id) ?? Date.now()) / 1000;
    const statementType = query.outcome?.kind === 'rows' ? 'DML' : query.outcome?.kind === 'update' ? 'DML' : 'UTILITY';
    return {
      QueryExecution: {
        QueryExecutionId: query.id,
        Query: query.sql,
        StatementType: statementType,
        WorkGroup: query.workGroup,
        ResultConfiguration: { OutputLocation: `s3://athena-results/${query.id}.csv` },
        Status: {
          State: query.state,
          SubmissionDateTime: at,
          CompletionDateTime: at,
          ...(query.error === undefined ? {} : { StateChangeReason: query.error, AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false, ErrorMessage: query.error } }),
        },
        Statistics: { EngineExecutionTimeInMillis: 1, DataScannedInBytes: 0 },
      },
    };
  };

  const results = (query: RecordedQuery, maxResults: number, token: string | undefined) => {
    const outcome = query.outcome;
    if (outcome?.kind !== 'rows') {
      return { UpdateCount: outcome?.kind === 'update' ? outcome.count : 0, ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } };
    }
    const header = outcome.columns.map((column) => ({ VarCharValue: column.name }));
    const all = [header, ...outcome.rows.map((row) => row.map((value) => (value === null ? {} : { VarCharValue: value })))];
    const start = token === undefined ? 0 : Number(token);
    const page = all.slice(start, start + maxResults);
    const next = start + maxResults < all.length ? String(start + maxResults) : undefined;
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: page.map((Data) => ({ Data })),
        ResultSetMetadata: {
          ColumnInfo: outcome.columns.map((column) => ({ CatalogName: 'hive', SchemaName: '', TableName: '', Name: column.name, Label: column.name, Type: column.type, Precision: 0, Scale: 0, Nullable: 'UNKNOWN', CaseSensitive: false })),
        },
      },
      ...(next === undefined ? {} : { NextToken: next }),
    };
  };

  const handle = async (target: string, body: Record<string, unknown>, response: ServerResponse) => {
    switch (target) {
      case 'AmazonAthena.StartQueryExecution': {
        if (typeof body.QueryString !== 'string' || body.QueryString.trim() === '') return refuse(response, 'QueryString is required');
        const id = randomUUID();
        submitted.set(id, Date.now());
        const sql = body.QueryString;
        const workGroup = typeof body.WorkGroup === 'string' ? body.WorkGroup : undefined;
        const done = queue.then(async () => {
          try {
            queries.push({ id, sql, workGroup, state: 'SUCCEEDED', outcome: await run(sql) });
          } catch (error) {
            queries.push({ id, sql, workGroup, state: 'FAILED', error: error instanceof Error ? error.message : String(error) });
          }
        });
        queue = done;
        await done;
        return reply(response, 200, { QueryExecutionId: id });
      }
      case 'AmazonAthena.GetQueryExecution': {
        const query = find(body.QueryExecutionId);
        return query ? reply(response, 200, execution(query)) : refuse(response, `QueryExecution ${String(body.QueryExecutionId)} was not found`);
      }
      case 'AmazonAthena.GetQueryResults': {
        const query = find(body.QueryExecutionId);
        if (!query) return refuse(response, `QueryExecution ${String(body.QueryExecutionId)} was not found`);
        if (query.state !== 'SUCCEEDED') return refuse(response, `Query has not yet finished. Current state: ${query.state}`);
        const maxResults = typeof body.MaxResults === 'number' ? Math.min(body.MaxResults, MAX_PAGE) : MAX_PAGE;
        return reply(response, 200, results(query, maxResults, typeof body.NextToken === 'string' ? body.NextToken : undefined));
      }
      default:
        return reply(response, 400, { __type: 'UnknownOperationException', Message: `${target} is not served by the local Athena` });
    }
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const target = String(request.headers['x-amz-target'] ?? '');
      handle(target, raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>), response).catch((error: unknown) =>
        reply(response, 500, { __type: 'InternalServerException', Message: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
