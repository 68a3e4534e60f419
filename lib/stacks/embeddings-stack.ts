import { CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { collectionOutputId, embeddingsOutputKeys } from '../../constructs/embeddings/stack-outputs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { collectionSettings } from '../../config/embeddings-schema';
import type { EnvironmentConfig } from '../../config/schema';
import { dataPrefix, type DatasetDefinition } from '../../constructs/datasets';
import * as kms from 'aws-cdk-lib/aws-kms';
import { allowEventBridgeToQueues, EmbeddingsPipeline } from '../../constructs/embeddings';
import { denyGrantsExceptForAwsResources } from '../../constructs/keys/key-policies';
import { statefulRemoval } from '../removal';
import type { NetworkStack } from './network-stack';
import type { StorageStack } from './storage-stack';
import type { VectorStack } from './vector-stack';

export interface EmbeddingsStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Every dataset of the environment: each collection reads one of them (validated before any stack exists). */
  readonly datasets: readonly DatasetDefinition[];
  readonly storage: StorageStack;
  readonly network: NetworkStack;
  readonly vector: VectorStack;
}

/**
 * Keys of the stack outputs the backfill command reads, per collection: `EmbeddingsQueueUrl<Collection>`,
 * `EmbeddingsBucketName<Collection>`, `EmbeddingsPrefix<Collection>`: the very function
 * `npm run embeddings:backfill` reads them with, so the two cannot drift.
 */
export const embeddingsOutputNames = embeddingsOutputKeys;

/**
 * One embeddings pipeline per configured collection: the documents dataset's prefix of its zone bucket →
 * EventBridge → SQS → the consumer in the VPC → the vector store. Stateless (queues, functions, rules);
 * it reads storage, network and vector, and only operations reads it back (its metrics).
 */
export class EmbeddingsStack extends Stack {
  public readonly pipelines: readonly EmbeddingsPipeline[];
  /** Key of every collection's queue and dead-letter queue. */
  public readonly queueKey: kms.Key;

  constructor(scope: Construct, id: string, props: EmbeddingsStackProps) {
    const removal = statefulRemoval(props.config);
    super(scope, id, { ...props, terminationProtection: removal.terminationProtection });
    const { config, storage, network, vector } = props;
    const section = config.embeddings;

    // One key for every collection's queues, kept like every other key of the environment (statefulRemoval).
    const queueKey = new kms.Key(this, 'QueueKey', {
      description: 'Lakehouse embeddings queues and their dead-letter queues',
      enableKeyRotation: true,
      removalPolicy: removal.removalPolicy,
      pendingWindow: removal.keyPendingWindow,
    });
    allowEventBridgeToQueues(queueKey);
    denyGrantsExceptForAwsResources(queueKey);
    this.queueKey = queueKey;

    this.pipelines = section.collections.map((collection) => {
      const dataset = props.datasets.find((candidate) => candidate.name === collection.dataset);
      // lib/input-validation.ts refuses an unknown dataset before any stack exists; this guards library misuse.
      if (!dataset) throw new Error(`embeddings collection ${collection.collection}: dataset ${collection.dataset} is not declared`);
      const pipeline = new EmbeddingsPipeline(this, outputId(collection.collection), {
        settings: collectionSettings(section, collection, dataset),
        dataset,
        sourceBucket: storage.storage.bucket(dataset.zone),
        sourcePrefix: dataPrefix(dataset),
        sourceKey: storage.storage.encryptionKey,
        queueKey,
        vectorStore: vector.vectorStore,
        vpc: network.network.vpc,
        vpcSubnets: network.network.workloadSubnets,
        logsKey: storage.logsKey,
        logRetention: config.logRetentionDays as logs.RetentionDays,
        logRemovalPolicy: removal.removalPolicy,
        reservedConcurrency: section.reservedConcurrency,
        timeout: Duration.seconds(section.timeoutSeconds),
        maxReceiveCount: section.maxReceiveCount,
      });
      const names = embeddingsOutputNames(collection.collection);
      new CfnOutput(this, names.queueUrl, { value: pipeline.queue.queueUrl, description: `Queue of the ${collection.collection} collection (backfill target)` });
      new CfnOutput(this, names.bucketName, {
        // The same string through a one-element Fn::Join: cfn-lint 1.51 types a bare Fn::GetStackOutput (the
        // weak reference to the storage stack) in an output as a non-string (E6101), and Fn.join() would fold
        // the one element away.
        value: Token.asString({ 'Fn::Join': ['', [storage.storage.bucket(dataset.zone).bucketName]] }),
        description: `Bucket of the ${collection.collection} collection's documents`,
      });
      new CfnOutput(this, names.prefix, { value: pipeline.sourcePrefix, description: `Key prefix of the ${collection.collection} collection's documents` });
      return pipeline;
    });
  }
}

/** `document_chunks` → `DocumentChunks`: a stable construct and output ID per collection. */
export const outputId = collectionOutputId;
