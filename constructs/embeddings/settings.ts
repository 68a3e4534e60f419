/**
 * Per-collection settings of the embeddings pipeline, their defaults and their run-time validation.
 * The consumer reads them from JSON (an environment variable the CDK wiring sets), so every value is
 * checked here: TypeScript types do not survive `cdk synth` or a hand-edited environment.
 */

/** Embedding models the pipeline knows how to call (request and response shapes, batch size, price). */
export interface EmbeddingModel {
  readonly id: string;
  /** Dimensions the model can return; the first is its default. */
  readonly dimensions: readonly number[];
  /** Texts per InvokeModel call (Titan: 1; Cohere: up to 96). */
  readonly maxBatch: number;
  /** Longest input the model accepts, in (estimated) tokens. */
  readonly maxInputTokens: number;
  /** On-demand price in USD per 1,000 input tokens (us-east-1 list price; used for the cost metric only). */
  readonly usdPer1kTokens: number;
  readonly family: 'titan-v2' | 'cohere-v3';
}

export const EMBEDDING_MODELS: Readonly<Record<string, EmbeddingModel>> = {
  'amazon.titan-embed-text-v2:0': {
    id: 'amazon.titan-embed-text-v2:0',
    dimensions: [1024, 512, 256],
    maxBatch: 1,
    maxInputTokens: 8192,
    usdPer1kTokens: 0.00002,
    family: 'titan-v2',
  },
  'cohere.embed-english-v3': { id: 'cohere.embed-english-v3', dimensions: [1024], maxBatch: 96, maxInputTokens: 512, usdPer1kTokens: 0.0001, family: 'cohere-v3' },
  'cohere.embed-multilingual-v3': { id: 'cohere.embed-multilingual-v3', dimensions: [1024], maxBatch: 96, maxInputTokens: 512, usdPer1kTokens: 0.0001, family: 'cohere-v3' },
};

export const DEFAULT_MODEL_ID = 'amazon.titan-embed-text-v2:0';

/**
 * Version of the chunking algorithm. Bump it when chunk boundaries change for the same text: the
 * collection then builds a new index generation side by side (chunk hashes would no longer match).
 */
export const CHUNKER_VERSION = 'structure-v1';

export interface ChunkSettings {
  /** Largest chunk, in estimated tokens. @default 300 */
  readonly size: number;
  /** Tokens repeated at the start of the next chunk (within a section). @default 60 (20 % of size) */
  readonly overlap: number;
}

export interface EmbeddingCollectionSettings {
  /** The collection (snake_case; the `collection` column of the ledger and of every chunk row). */
  readonly collection: string;
  /** Bedrock model id. @default amazon.titan-embed-text-v2:0 */
  readonly model: string;
  /** Embedding dimensions (Titan v2: 256, 512 or 1024). @default the model's first (1024) */
  readonly dimensions: number;
  readonly chunk: ChunkSettings;
  /** Objects larger than this are recorded as skipped. @default 10 MiB */
  readonly maxObjectBytes: number;
  /** Client-side limit on InvokeModel calls per second (token bucket). @default 20 */
  readonly requestsPerSecond: number;
  /** Attempts per InvokeModel call on throttling or a 5xx. @default 6 */
  readonly maxAttempts: number;
  /** InvokeModel calls in flight at once for one document (still within requestsPerSecond). @default 4 */
  readonly concurrency: number;
  /** Documents re-embedded per invocation while a new index generation is being built. @default 20 */
  readonly backfillPerInvocation: number;
  /**
   * What an object under the prefix is: `objects` (each object is one document: .txt, .md, .html, .json)
   * or `rows` (each object is a Parquet file of a dataset; each row is a version of one document).
   * @default objects
   */
  readonly source: DocumentSource;
  /** How rows map to documents; present exactly when `source` is `rows`. */
  readonly rows?: RowSettings;
}

export type DocumentSource = 'objects' | 'rows';
export const DOCUMENT_SOURCES: readonly DocumentSource[] = ['objects', 'rows'];

/** The columns a `rows` collection reads from each Parquet file (the dataset's contract names them). */
export interface RowSettings {
  /** The dataset the files belong to: the ledger key is `<dataset>/<document id>`, and every row's `dataset`. */
  readonly dataset: string;
  /** Every row's `classification` (the app sets the most restrictive classification of the columns read). @default none */
  readonly classification?: string;
  /** The document's identifier: a string or an integer column. @default document_id */
  readonly idColumn: string;
  /** The document's text: a string column; null or empty (only whitespace) deletes the document. @default content */
  readonly textColumn: string;
  /** Orders versions of a document: a timestamp, date or integer column (newest wins). @default updated_at */
  readonly orderColumn: string;
  /** A map<string,string> column copied into each chunk's metadata; null for none (also when a file lacks it). @default metadata */
  readonly metadataColumn: string | null;
  /** A column holding the data subject's id (string or integer). @default none */
  readonly subjectColumn?: string;
  /** Or: a key of the metadata map holding the data subject's id. @default none */
  readonly subjectMetadataKey?: string;
}

export const DEFAULT_ROW_COLUMNS = { idColumn: 'document_id', textColumn: 'content', orderColumn: 'updated_at', metadataColumn: 'metadata' } as const;

export type EmbeddingSettingsInput = Partial<Omit<EmbeddingCollectionSettings, 'chunk' | 'rows'>> & {
  readonly collection: string;
  readonly chunk?: Partial<ChunkSettings>;
  readonly rows?: Partial<RowSettings> & { readonly dataset: string };
};

export const DEFAULT_CHUNK_SIZE = 300;
export const DEFAULT_OVERLAP_RATIO = 0.2;
export const DEFAULT_MAX_OBJECT_BYTES = 10 * 1024 * 1024;

/** Settings that cannot work; names every problem with its field path. */
export class EmbeddingSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Embeddings settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EmbeddingSettingsError';
  }
}

const COLLECTION_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const KNOWN_KEYS = ['collection', 'model', 'dimensions', 'chunk', 'maxObjectBytes', 'requestsPerSecond', 'maxAttempts', 'concurrency', 'backfillPerInvocation', 'source', 'rows'];
const ROW_KEYS = ['dataset', 'classification', 'idColumn', 'textColumn', 'orderColumn', 'metadataColumn', 'subjectColumn', 'subjectMetadataKey'];
/** Dataset and column names: lower-case snake_case, as the dataset contract requires. */
const SNAKE_CASE = /^[a-z_][a-z0-9_]{0,254}$/;

/** Validates one collection's settings (from JSON) and fills the defaults. */
export function resolveSettings(input: unknown, where = 'settings'): EmbeddingCollectionSettings {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new EmbeddingSettingsError([`${where} must be an object, got ${describe(input)}`]);
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.includes(key)) problems.push(`${where}.${key} is not a setting (allowed: ${KNOWN_KEYS.join(', ')})`);

  const collection = raw.collection;
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection)) {
    problems.push(`${where}.collection ${describe(collection)}: expected lower-case letters, digits and underscores, starting with a letter or underscore, at most 63`);
  }
  const modelId = raw.model ?? DEFAULT_MODEL_ID;
  const model = typeof modelId === 'string' ? EMBEDDING_MODELS[modelId] : undefined;
  if (!model) problems.push(`${where}.model ${describe(modelId)} is not supported (supported: ${Object.keys(EMBEDDING_MODELS).join(', ')})`);
  const dimensions = raw.dimensions ?? model?.dimensions[0];
  if (model && !(typeof dimensions === 'number' && model.dimensions.includes(dimensions))) {
    problems.push(`${where}.dimensions ${describe(dimensions)} is not offered by ${model.id} (allowed: ${model.dimensions.join(', ')})`);
  }

  const chunkRaw = raw.chunk ?? {};
  let size = DEFAULT_CHUNK_SIZE;
  let overlap = Math.round(DEFAULT_CHUNK_SIZE * DEFAULT_OVERLAP_RATIO);
  if (typeof chunkRaw !== 'object' || chunkRaw === null || Array.isArray(chunkRaw)) {
    problems.push(`${where}.chunk must be an object with size and overlap`);
  } else {
    const chunk = chunkRaw as Record<string, unknown>;
    for (const key of Object.keys(chunk)) if (key !== 'size' && key !== 'overlap') problems.push(`${where}.chunk.${key} is not a setting (allowed: size, overlap)`);
    const maxSize = model?.maxInputTokens ?? 8192;
    size = integerIn(chunk.size ?? size, 16, maxSize, `${where}.chunk.size`, problems, ` (the model accepts ${maxSize} tokens)`);
    overlap = integerIn(chunk.overlap ?? Math.round(size * DEFAULT_OVERLAP_RATIO), 0, Math.floor(size / 2), `${where}.chunk.overlap`, problems, ' (at most half the chunk size)');
  }
  const maxObjectBytes = integerIn(raw.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES, 1, 100 * 1024 * 1024, `${where}.maxObjectBytes`, problems);
  const requestsPerSecond = integerIn(raw.requestsPerSecond ?? 20, 1, 10_000, `${where}.requestsPerSecond`, problems);
  const maxAttempts = integerIn(raw.maxAttempts ?? 6, 1, 20, `${where}.maxAttempts`, problems);
  const concurrency = integerIn(raw.concurrency ?? 4, 1, 32, `${where}.concurrency`, problems);
  const backfillPerInvocation = integerIn(raw.backfillPerInvocation ?? 20, 0, 10_000, `${where}.backfillPerInvocation`, problems);
  const source = raw.source ?? 'objects';
  if (!DOCUMENT_SOURCES.includes(source as DocumentSource)) problems.push(`${where}.source ${describe(source)}: expected one of ${DOCUMENT_SOURCES.join(', ')}`);
  let rows: RowSettings | undefined;
  if (source === 'rows') rows = resolveRows(raw.rows, `${where}.rows`, problems);
  else if (raw.rows !== undefined && source === 'objects') problems.push(`${where}.rows is set but source is "objects": set source "rows" or drop rows`);
  if (problems.length > 0) throw new EmbeddingSettingsError(problems);
  return {
    collection: collection as string,
    model: (model as EmbeddingModel).id,
    dimensions: dimensions as number,
    chunk: { size, overlap },
    maxObjectBytes,
    requestsPerSecond,
    maxAttempts,
    concurrency,
    backfillPerInvocation,
    source: source as DocumentSource,
    ...(rows ? { rows } : {}),
  };
}

function resolveRows(input: unknown, where: string, problems: string[]): RowSettings | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push(`${where} ${describe(input)}: source "rows" needs an object naming at least the dataset ({"dataset": "documents"})`);
    return undefined;
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!ROW_KEYS.includes(key)) problems.push(`${where}.${key} is not a setting (allowed: ${ROW_KEYS.join(', ')})`);
  const name = (field: string, fallback?: string): string | undefined => {
    const value = raw[field] ?? fallback;
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !SNAKE_CASE.test(value)) {
      problems.push(`${where}.${field} ${describe(value)}: expected a dataset or column name (lower-case letters, digits and underscores)`);
      return undefined;
    }
    return value;
  };
  const dataset = name('dataset');
  if (raw.dataset === undefined) problems.push(`${where}.dataset (missing): expected the dataset the Parquet files belong to`);
  const idColumn = name('idColumn', DEFAULT_ROW_COLUMNS.idColumn);
  const textColumn = name('textColumn', DEFAULT_ROW_COLUMNS.textColumn);
  const orderColumn = name('orderColumn', DEFAULT_ROW_COLUMNS.orderColumn);
  const metadataColumn = raw.metadataColumn === null ? null : name('metadataColumn', DEFAULT_ROW_COLUMNS.metadataColumn);
  const subjectColumn = name('subjectColumn');
  const columns = [idColumn, textColumn, orderColumn, metadataColumn, subjectColumn].filter((c): c is string => typeof c === 'string');
  if (new Set(columns).size !== columns.length) problems.push(`${where} must name different columns for idColumn, textColumn, orderColumn, metadataColumn and subjectColumn (got ${columns.join(', ')})`);
  const classification = raw.classification;
  if (classification !== undefined && (typeof classification !== 'string' || classification === '' || classification.length > 64)) {
    problems.push(`${where}.classification ${describe(classification)}: expected a classification name (1-64 characters)`);
  }
  const subjectKey = raw.subjectMetadataKey;
  if (subjectKey !== undefined && (typeof subjectKey !== 'string' || subjectKey === '' || subjectKey.length > 255)) {
    problems.push(`${where}.subjectMetadataKey ${describe(subjectKey)}: expected a key of the metadata map (1-255 characters)`);
  }
  if (raw.subjectColumn !== undefined && subjectKey !== undefined) problems.push(`${where}.subjectMetadataKey is set with subjectColumn: the data subject comes from one of them, drop the other`);
  if (subjectKey !== undefined && raw.metadataColumn === null) problems.push(`${where}.subjectMetadataKey needs a metadataColumn (it is null)`);
  if (!dataset || !idColumn || !textColumn || !orderColumn || metadataColumn === undefined) return undefined;
  return {
    dataset,
    ...(typeof classification === 'string' ? { classification } : {}),
    idColumn,
    textColumn,
    orderColumn,
    metadataColumn,
    ...(subjectColumn ? { subjectColumn } : {}),
    ...(typeof subjectKey === 'string' ? { subjectMetadataKey: subjectKey } : {}),
  };
}

/** `EMBEDDINGS_SETTINGS`: one object (one collection) as JSON. */
export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): EmbeddingCollectionSettings {
  const text = env.EMBEDDINGS_SETTINGS;
  if (text === undefined || text.trim() === '') throw new EmbeddingSettingsError(['EMBEDDINGS_SETTINGS is not set (JSON: {"collection": "...", ...})']);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EmbeddingSettingsError([`EMBEDDINGS_SETTINGS is not JSON: ${(error as Error).message}`]);
  }
  return resolveSettings(parsed, 'EMBEDDINGS_SETTINGS');
}

export function modelOf(settings: Pick<EmbeddingCollectionSettings, 'model'>): EmbeddingModel {
  const model = EMBEDDING_MODELS[settings.model];
  if (!model) throw new EmbeddingSettingsError([`model ${JSON.stringify(settings.model)} is not supported`]);
  return model;
}

function integerIn(value: unknown, min: number, max: number, where: string, problems: string[], hint = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${where} ${describe(value)}: expected an integer from ${min} to ${max}${hint}`);
    return min;
  }
  return value;
}

function describe(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value) ?? String(value);
}
