import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startMotoServer } from '../support/moto-server';

// Offline SDK clients: never probe the instance metadata service; credentials and endpoint are explicit.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** A moto server on a free loopback port: the real Kinesis wire protocol, started and stopped by the test. */
export interface MotoKinesis {
  readonly endpoint: string;
  readonly client: KinesisClient;
  /** Creates a stream and waits until it is ACTIVE. */
  createStream(name: string, shards?: number): Promise<void>;
  /** Every record in the stream, all shards, decoded as JSON, with its partition key. */
  readAll(name: string): Promise<Array<{ partitionKey: string; data: unknown; bytes: number }>>;
  stop(): Promise<void>;
}

export async function startMotoKinesis(): Promise<MotoKinesis> {
  const server = await startMotoServer();
  const { endpoint } = server;
  // The Kinesis client speaks HTTP/2 by default; moto serves HTTP/1.1 only.
  const client = new KinesisClient({ endpoint, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler() });
  return {
    endpoint,
    client,
    async createStream(name, shards = 1) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      for (;;) {
        const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async readAll(name) {
      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: name }));
      const records: Array<{ partitionKey: string; data: unknown; bytes: number }> = [];
      for (const shard of Shards) {
        let { ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        while (iterator) {
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          for (const record of page.Records ?? []) {
            const text = Buffer.from(record.Data ?? new Uint8Array()).toString('utf8');
            records.push({ partitionKey: record.PartitionKey ?? '', data: JSON.parse(text), bytes: Buffer.byteLength(text) });
          }
          if ((page.Records ?? []).length === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      return records;
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
