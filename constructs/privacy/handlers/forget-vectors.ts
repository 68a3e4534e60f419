/**
 * Step `forget-vectors`: the batch's subjects (from its subjects file in the work bucket) are deleted
 * from the vector store's embeddings tables (mode `forget`), or counted (mode `verify`, after the forget
 * phase; every count must be 0). Connects as `<db>_privacy` with an IAM authentication token, through
 * the vector store's PG* environment variables.
 *
 * Input `{ batchId, mode: 'forget' | 'verify' }`; output `{ mode, chunks, documents }` (deleted, or
 * remaining) plus, for forget, `vacuumed` and `vacuumSkippedReason`.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Signer } from '@aws-sdk/rds-signer';
import { Client } from 'pg';
import { connectionFromEnvironment } from '../../../vector-client/environment';
import { readPrivacyEnvironment } from '../handler-environment';
import { inputObject, jsonLog, type Log } from '../runtime';
import { forgetVectors, remainingVectors, type VectorSql } from '../vector-forget';
import { checkBatchId, readSubjectsFile } from '../work-files';

export interface VectorSession extends VectorSql {
  end(): Promise<void>;
}

export interface ForgetVectorsDependencies {
  readonly connect: () => Promise<VectorSession>;
  readonly subjects: (batchId: string) => Promise<string[]>;
  readonly log?: Log;
}

export interface ForgetVectorsOutput {
  readonly mode: 'forget' | 'verify';
  readonly chunks: number;
  readonly documents: number;
  readonly vacuumed?: boolean;
  readonly vacuumSkippedReason?: string;
}

export function createForgetVectors(deps: ForgetVectorsDependencies): (event: unknown) => Promise<ForgetVectorsOutput> {
  const log = deps.log ?? jsonLog;
  return async (event) => {
    const input = inputObject(event, 'forget-vectors');
    const batchId = checkBatchId(input.batchId);
    const mode = input.mode;
    if (mode !== 'forget' && mode !== 'verify') throw new TypeError(`mode must be "forget" or "verify"; got ${JSON.stringify(mode)}`);
    const subjects = await deps.subjects(batchId);
    const session = await deps.connect();
    try {
      if (mode === 'verify') {
        const remaining = await remainingVectors(session, subjects);
        log('vectors verified', { batchId, subjects: subjects.length, ...remaining });
        return { mode, ...remaining };
      }
      const result = await forgetVectors(session, subjects);
      log('vectors forgotten', { batchId, subjects: subjects.length, ...result });
      return { mode, ...result };
    } finally {
      await session.end().catch(() => undefined);
    }
  };
}

let cached: ((event: unknown) => Promise<ForgetVectorsOutput>) | undefined;

export async function handler(event: unknown): Promise<ForgetVectorsOutput> {
  if (!cached) {
    const settings = readPrivacyEnvironment(process.env, ['workBucket']);
    const connection = connectionFromEnvironment(process.env);
    const signer = new Signer({ hostname: connection.host, port: connection.port, username: connection.user, region: process.env.AWS_REGION });
    const s3 = new S3Client({});
    cached = createForgetVectors({
      subjects: (batchId) => readSubjectsFile(s3, settings.workBucket, batchId),
      connect: async () => {
        const client = new Client({ ...connection, password: await signer.getAuthToken() });
        await client.connect();
        return client;
      },
    });
  }
  return cached(event);
}
