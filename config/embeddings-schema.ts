import { z } from 'zod';
import { DEFAULT_MODEL_ID, EmbeddingSettingsError, resolveSettings, type EmbeddingSettingsInput } from '../constructs/embeddings/settings';

/**
 * The `embeddings` section of an environment: whether the pipeline is deployed, the model every
 * collection uses unless it names its own, and the collections (one queue and consumer each). Each
 * collection's settings are checked by the same `resolveSettings` the function runs at start-up, so a
 * value the function would refuse is refused here, with its path in the environment file.
 */
const collectionSchema = z
  .object({
    /** The ledger's collection name (snake_case). */
    collection: z.string(),
    /** The dataset whose prefix in its zone bucket holds the documents. Default documents. */
    dataset: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a dataset name (lowercase snake_case)').default('documents'),
    model: z.string().optional(),
    dimensions: z.number().optional(),
    chunk: z.object({ size: z.number().optional(), overlap: z.number().optional() }).strict().optional(),
    maxObjectBytes: z.number().optional(),
    requestsPerSecond: z.number().optional(),
    maxAttempts: z.number().optional(),
    concurrency: z.number().optional(),
    backfillPerInvocation: z.number().optional(),
  })
  .strict();

export const embeddingsSchema = z
  .object({
    /** Deploy the embeddings stack. Default true. */
    enabled: z.boolean().default(true),
    /** Bedrock model of every collection that names none. Default amazon.titan-embed-text-v2:0. */
    model: z.string().default(DEFAULT_MODEL_ID),
    /** Dimensions of every collection that names none. Default: the model's first (Titan v2: 1024). */
    dimensions: z.number().optional(),
    /** Reserved concurrency of each consumer (and its event source's maximum concurrency). Default 2. */
    reservedConcurrency: z.number().int('must be a whole number').min(2, 'must be at least 2 (the SQS event source scales to at least 2)').max(900, 'must be at most 900: Lambda keeps 100 of the default regional quota of 1,000 unreserved').default(2),
    /** Function timeout, seconds (the queue's visibility timeout is 6 × this). Default 300. */
    timeoutSeconds: z.number().int('must be a whole number').min(30, 'must be at least 30').max(900, 'must be at most 900 (Lambda limit)').default(300),
    /** Deliveries before a message moves to the dead-letter queue. Default 5. */
    maxReceiveCount: z.number().int('must be a whole number').min(1).max(1000).default(5),
    /** The collections. Default one, `documents`, fed by the documents dataset. */
    collections: z.array(collectionSchema).min(1, 'must list at least one collection (or set enabled: false)').default([{ collection: 'documents', dataset: 'documents' }]),
  })
  .strict();

export type EmbeddingsConfig = z.output<typeof embeddingsSchema>;
export type EmbeddingCollectionConfig = EmbeddingsConfig['collections'][number];

/** A collection's settings for the construct and the function: the section's model and dimensions unless it names its own. */
export function collectionSettings(section: Pick<EmbeddingsConfig, 'model' | 'dimensions'>, collection: EmbeddingCollectionConfig): EmbeddingSettingsInput {
  const settings: Omit<EmbeddingCollectionConfig, 'dataset'> & { dataset?: string } = { ...collection };
  delete settings.dataset;
  const model = settings.model ?? section.model;
  // The section's dimensions apply only with the section's model (another model has other sizes).
  const dimensions = settings.dimensions ?? (settings.model === undefined ? section.dimensions : undefined);
  return { ...settings, model, ...(dimensions === undefined ? {} : { dimensions }) };
}

export interface EmbeddingsIssue {
  readonly path: PropertyKey[];
  readonly message: string;
}

/** Every problem of the section, with its path under `embeddings`: the function's own rules, and unique collection names. */
export function embeddingsIssues(section: EmbeddingsConfig): EmbeddingsIssue[] {
  const issues: EmbeddingsIssue[] = [];
  section.collections.forEach((collection, index) => {
    const first = section.collections.findIndex((other) => other.collection === collection.collection);
    if (first !== index) {
      issues.push({ path: ['embeddings', 'collections', index, 'collection'], message: `duplicates collections[${first}]; each collection has one queue and consumer, list it once` });
    }
    try {
      resolveSettings(collectionSettings(section, collection), 'settings');
    } catch (error) {
      if (!(error instanceof EmbeddingSettingsError)) throw error;
      for (const problem of error.problems) {
        const field = /^settings((?:\.[A-Za-z]+)*)\s/.exec(problem)?.[1] ?? '';
        const parts = field.split('.').filter((part) => part !== '');
        // A model or dimensions problem inherited from the section is reported at the section's field.
        const inherited = parts.length === 1 && (parts[0] === 'model' || parts[0] === 'dimensions') && collection[parts[0]] === undefined;
        const path = inherited ? ['embeddings', parts[0]] : ['embeddings', 'collections', index, ...parts];
        if (inherited && issues.some((issue) => issue.path.join('.') === path.join('.'))) continue;
        // The report prints the value itself ("got 8"): drop the runtime's own repetition of it ("8: expected …").
        const value = JSON.stringify(parts.reduce<unknown>((current, part) => (current as Record<string, unknown> | undefined)?.[part], inherited ? section : collection));
        let message = problem.replace(/^settings(\.[A-Za-z]+)*\s/, '');
        if (value !== undefined && message.startsWith(`${value}: `)) message = message.slice(value.length + 2);
        else if (value !== undefined && message.startsWith(`${value} `)) message = message.slice(value.length + 1);
        issues.push({ path, message });
      }
    }
  });
  return issues;
}
