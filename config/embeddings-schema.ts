import { z } from 'zod';
import { DEFAULT_MODEL_ID, EmbeddingSettingsError, resolveSettings, type EmbeddingSettingsInput } from '../constructs/embeddings/settings';
import { defaultMetadataColumn, rowClassification } from '../constructs/embeddings/row-source-validation';
import type { DatasetDefinition } from '../constructs/datasets/model';

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
    /**
     * `rows`: the dataset's Parquet files hold one document version per row (checked against the contract
     * at synth). `objects`: every object under the dataset's prefix is one text document. Default rows.
     */
    source: z.enum(['objects', 'rows']).optional(),
    /** The columns a rows collection reads. Defaults: document_id, content, updated_at, metadata (when the dataset has it). */
    rows: z
      .object({
        idColumn: z.string().optional(),
        textColumn: z.string().optional(),
        orderColumn: z.string().optional(),
        /** A map<string,string> column copied into chunk metadata; null for none. */
        metadataColumn: z.string().nullable().optional(),
        /** The data subject's id: a column, or a key of the metadata map (at most one). */
        subjectColumn: z.string().optional(),
        subjectMetadataKey: z.string().optional(),
      })
      .strict()
      .optional(),
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

/** A collection's source when it names none. */
export const DEFAULT_SOURCE = 'rows';

/**
 * A collection's settings for the construct and the function: the section's model and dimensions unless it
 * names its own; for a rows collection, its dataset and, when the dataset's contract is given, the metadata
 * column (`metadata` if the dataset has one) and the classification rows carry (the most restrictive of the
 * columns read).
 */
export function collectionSettings(section: Pick<EmbeddingsConfig, 'model' | 'dimensions'>, collection: EmbeddingCollectionConfig, dataset?: DatasetDefinition): EmbeddingSettingsInput {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the dataset names the prefix; the rest are settings
  const { dataset: _dataset, rows: _rows, ...settings } = collection;
  const model = settings.model ?? section.model;
  // The section's dimensions apply only with the section's model (another model has other sizes).
  const dimensions = settings.dimensions ?? (settings.model === undefined ? section.dimensions : undefined);
  const source = collection.source ?? DEFAULT_SOURCE;
  let rows: EmbeddingSettingsInput['rows'] | undefined;
  if (source === 'rows') {
    const columns = { ...collection.rows };
    // A subject key keeps the default column, so a dataset without it is reported against the key (row-source-validation.ts).
    if (dataset && columns.metadataColumn === undefined && columns.subjectMetadataKey === undefined) columns.metadataColumn = defaultMetadataColumn(dataset);
    const classification = dataset ? rowClassification({ idColumn: 'document_id', textColumn: 'content', metadataColumn: 'metadata', ...columns }, dataset) : undefined;
    rows = { dataset: collection.dataset, ...columns, ...(classification ? { classification } : {}) };
  } else if (collection.rows !== undefined) {
    // Passed on so the settings check reports "rows is set but source is objects" at this collection.
    rows = collection.rows as EmbeddingSettingsInput['rows'];
  }
  return { ...settings, model, source, ...(rows ? { rows } : {}), ...(dimensions === undefined ? {} : { dimensions }) };
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
