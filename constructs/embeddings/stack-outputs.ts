/**
 * The names by which operator tools find a collection's pipeline in a deployed environment: the
 * embeddings stack's name and the CloudFormation output keys it publishes per collection (the queue the
 * consumer reads, the bucket and prefix it indexes). The stack emits outputs under exactly these keys;
 * `npm run embeddings:backfill` reads them. Pure: no CDK.
 */

/** `<project>-<env>-embeddings`. */
export function embeddingsStackName(project: string, environment: string): string {
  return `${project}-${environment}-embeddings`;
}

/** `document_chunks` → `DocumentChunks` (output keys are alphanumeric); also the collection's construct ID. */
export function collectionOutputId(collection: string): string {
  return collection
    .split('_')
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

export interface EmbeddingsOutputKeys {
  /** The URL of the collection's SQS queue (the one the consumer reads). */
  readonly queueUrl: string;
  /** The name of the bucket whose objects the collection indexes. */
  readonly bucketName: string;
  /** The key prefix inside that bucket (`documents/`). */
  readonly prefix: string;
}

/** `EmbeddingsQueueUrl<Collection>`, `EmbeddingsBucketName<Collection>`, `EmbeddingsPrefix<Collection>`. */
export function embeddingsOutputKeys(collection: string): EmbeddingsOutputKeys {
  const name = collectionOutputId(collection);
  return { queueUrl: `EmbeddingsQueueUrl${name}`, bucketName: `EmbeddingsBucketName${name}`, prefix: `EmbeddingsPrefix${name}` };
}
