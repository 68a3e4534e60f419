/**
 * The pipeline for one collection: an S3 object event in, ledger rows and chunk vectors out.
 *
 * created → (skip early if every live generation already has this or a newer sequencer) → fetch →
 * extract → chunk → per live generation: reuse stored embeddings by chunk hash, embed the rest, swap
 * the document's chunks in one transaction. deleted → if the key has no current object any more, a
 * tombstone in every live generation (rows gone); if it still has one (only a version was removed), that
 * object is indexed like a created event.
 * Skips (type, empty, too large, undecodable, object gone) are ledger rows with a reason, not errors.
 * Errors (Bedrock, database) propagate: the handler reports the record as failed and SQS retries it.
 */
import { chunkHash, chunkText } from './chunk';
import type { Embedder } from './bedrock';
import { extractText, type SkipReason } from './extract';
import { sourceKey, type ObjectEvent } from './events';
import {
  activateIfComplete,
  documentState,
  dropRetiredGenerationIndexes,
  isStale,
  liveGenerations,
  pendingBackfill,
  reusableEmbeddings,
  swapDocument,
  type ChunkRow,
  type Generation,
  type Governance,
} from './ledger';
import { CHUNKER_VERSION, EMBEDDING_MODELS, type ChunkSettings, type EmbeddingCollectionSettings } from './settings';
import type { ObjectSource } from './source';
import { applyRowFile, backfillRowDocument, type RowCounts } from './row-documents';
import type { SqlClient } from '../vector-store/migrator';

export type Outcome = 'indexed' | 'skipped' | 'deleted' | 'stale';

export interface EventResult {
  readonly outcome: Outcome;
  /** A Parquet file of a `rows` collection: what happened to its documents (the handler counts these, not the file). */
  readonly documents?: RowCounts;
  /** A Parquet file stopped before its last row (time running out): the record is retried, applied rows stay. */
  readonly incomplete?: boolean;
  readonly skipReason?: SkipReason;
  /** Chunks sent to the model (summed over live generations). */
  readonly embedded: number;
  /** Chunks whose embedding was reused from the ledger. */
  readonly reused: number;
  readonly tokens: number;
  readonly calls: number;
  readonly throttled: number;
  /** Estimated USD for the tokens sent (list price of each generation's model). */
  readonly costUsd: number;
}

/** What one event sent to the model, summed over live generations. */
export type Counters = { -readonly [K in 'embedded' | 'reused' | 'tokens' | 'calls' | 'throttled' | 'costUsd']: number };

/** The ledger fields of one version of a document (everything but generation, status and chunks). */
export interface DocumentVersion {
  readonly sourceKey: string;
  readonly sequencer: string;
  readonly versionId?: string;
  readonly etag?: string;
}

export interface PipelineDependencies {
  readonly db: SqlClient;
  readonly source: ObjectSource;
  /** The embedder for a generation's model and dimensions. */
  readonly embedderFor: (generation: Generation) => Embedder;
  readonly settings: EmbeddingCollectionSettings;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Asked before each row of a Parquet file: true stops the file there (see row-documents.ts). @default never */
  readonly shouldStop?: () => boolean;
}

/** Governance fields as chunk metadata (`dataset`, `classification`, `data_subject_id`), the unset ones left out. */
export function governanceMetadata(governance: Governance): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (governance.dataset !== undefined) metadata.dataset = governance.dataset;
  if (governance.classification !== undefined) metadata.classification = governance.classification;
  if (governance.dataSubjectId !== undefined) metadata.data_subject_id = governance.dataSubjectId;
  return metadata;
}

/** Governance fields: object metadata first, then tags (`dataset`, `classification`, `data-subject-id`). */
export function governanceOf(metadata: Readonly<Record<string, string>>, tags: Readonly<Record<string, string>>): Governance {
  const pick = (name: string) => metadata[name] ?? tags[name] ?? undefined;
  return { dataset: pick('dataset'), classification: pick('classification'), dataSubjectId: pick('data-subject-id') };
}

export class EmbeddingPipeline {
  private generations: Generation[] | undefined;
  constructor(private readonly deps: PipelineDependencies) {}

  /** The generations written to (active, plus building during a model change); read once per batch. */
  async live(): Promise<Generation[]> {
    const { settings } = this.deps;
    if (!this.generations) {
      this.generations = await liveGenerations(this.deps.db, {
        collection: settings.collection,
        model: settings.model,
        dimensions: settings.dimensions,
        chunkerVersion: chunkerVersionOf(settings.chunk),
      });
      // Once per batch: an index of a retired generation left by a drop that gave up waiting for its lock.
      await this.dropRetiredIndexes();
    }
    return this.generations;
  }

  private async dropRetiredIndexes(): Promise<void> {
    const { dropped, deferred } = await dropRetiredGenerationIndexes(this.deps.db, this.deps.settings.collection);
    if (dropped.length > 0) this.deps.log?.('retired generation indexes dropped', { collection: this.deps.settings.collection, dropped });
    if (deferred) this.deps.log?.('dropping retired generation indexes deferred: lock not granted in time (searches in progress); the next batch retries', { collection: this.deps.settings.collection });
  }

  async process(event: ObjectEvent): Promise<EventResult> {
    return this.apply(event, await this.live());
  }

  private async apply(event: ObjectEvent, generations: readonly Generation[]): Promise<EventResult> {
    const { source, settings } = this.deps;
    const key = sourceKey(event.bucket, event.key);
    const result: Counters = { embedded: 0, reused: 0, tokens: 0, calls: 0, throttled: 0, costUsd: 0 };
    const deleted = event.kind === 'deleted';
    // Rows are versions: deleting the file that held them deletes no document (row-documents.ts).
    if (deleted && settings.rows) return { outcome: 'stale', ...result };
    const todo = await this.notStale(generations, key, event.sequencer);
    if (todo.length === 0) return { outcome: 'stale', ...result };

    const base: DocumentVersion = { sourceKey: key, sequencer: event.sequencer, versionId: event.versionId, etag: event.etag };
    const skip = async (reason: SkipReason, detail: string, governance?: Governance): Promise<EventResult> => {
      this.deps.log?.('skipped', { sourceKey: key, reason, detail });
      const applied = await this.recordSkip(todo, base, `${reason}: ${detail}`, governance);
      return { outcome: applied ? 'skipped' : 'stale', skipReason: reason, ...result };
    };

    // A delete event may remove one version only (a noncurrent version expiring, or a permanent delete
    // of the current one, after which an older version is current again). So the key's current object
    // decides: none → tombstone; one → it is indexed (its unchanged chunks cost no model call).
    if (!deleted && event.size !== undefined && event.size > settings.maxObjectBytes) return skip('too-large', `${event.size} bytes (limit ${settings.maxObjectBytes})`);

    const object = await source.fetch(event.bucket, event.key, deleted ? undefined : event.versionId, settings.maxObjectBytes);
    if (!object.found && deleted) return { outcome: (await this.tombstone(todo, base)) ? 'deleted' : 'stale', ...result };
    if (!object.found) return skip('not-found', 'the object (version) no longer exists; its delete event removes the document');
    if ('tooLarge' in object) return skip('too-large', `${object.size} bytes (limit ${settings.maxObjectBytes})`);
    if (settings.rows) {
      // Every live generation, not `todo`: each row is checked against its own document's sequencer.
      const file = await applyRowFile({ pipeline: this, rows: settings.rows, generations, event, bytes: object.bytes, versionId: object.versionId, etag: object.etag, counters: result, log: this.deps.log, shouldStop: this.deps.shouldStop });
      if (!file.ok) return skip('undecodable', file.detail);
      if (file.counts.invalid > 0 && file.counts.indexed + file.counts.deleted + file.counts.stale + file.counts.skipped === 0) return skip('no-text', `no row has a valid ${settings.rows.idColumn} and ${settings.rows.orderColumn} (${file.counts.invalid} rows)`);
      const changed = file.counts.indexed + file.counts.deleted + file.counts.skipped > 0;
      return { outcome: changed ? 'indexed' : 'stale', documents: file.counts, ...(file.complete ? {} : { incomplete: true }), ...result };
    }
    const governance = governanceOf(object.metadata, object.tags);
    const extraction = extractText(event.key, object.bytes, object.contentType);
    if (!extraction.ok) return skip(extraction.reason, extraction.detail, governance);

    const metadata: Record<string, unknown> = { ...object.metadata, source_key: key, format: extraction.format, ...governanceMetadata(governance) };
    const applied = await this.indexText(todo, { ...base, versionId: object.versionId ?? event.versionId, etag: object.etag ?? event.etag }, extraction.text, metadata, governance, result);
    return { outcome: applied ? 'indexed' : 'stale', ...result };
  }

  /**
   * Indexes one document's text in the given generations: chunks it with each generation's chunker,
   * reuses stored embeddings by chunk hash, embeds the rest and swaps the document's chunks and ledger
   * row in one transaction (ledger.ts). Adds what it sent to the model to `result`. True when any
   * generation took the change (false: every one already held an equal or newer sequencer).
   */
  async indexText(todo: readonly Generation[], base: DocumentVersion, text: string, metadata: Record<string, unknown>, governance: Governance, result: Counters): Promise<boolean> {
    const { db, settings } = this.deps;
    const contentHash = chunkHash(text);
    let applied = false;
    for (const generation of todo) {
      const chunks = chunkText(text, chunkSettingsOf(generation.chunkerVersion, settings.chunk));
      const stored = await reusableEmbeddings(db, generation, [...new Set(chunks.map((c) => c.hash))]);
      const missing = [...new Map(chunks.filter((c) => !stored.has(c.hash)).map((c) => [c.hash, c.text])).entries()];
      if (missing.length > 0) {
        const embedded = await this.deps.embedderFor(generation).embed(missing.map(([, chunk]) => chunk));
        missing.forEach(([hash], index) => stored.set(hash, `[${embedded.vectors[index].join(',')}]`));
        result.embedded += missing.length;
        result.tokens += embedded.tokens;
        result.calls += embedded.calls;
        result.throttled += embedded.throttled;
        result.costUsd += (embedded.tokens / 1000) * (EMBEDDING_MODELS[generation.model]?.usdPer1kTokens ?? 0);
      }
      result.reused += chunks.length - missing.length;
      const rows: ChunkRow[] = chunks.map((c) => ({
        ordinal: c.ordinal,
        hash: c.hash,
        content: c.text,
        tokens: c.tokens,
        embedding: stored.get(c.hash) as string,
        metadata: c.heading === undefined ? { ...metadata, chunk: c.ordinal } : { ...metadata, chunk: c.ordinal, heading: c.heading },
      }));
      applied = (await swapDocument(db, { ...base, generation, status: 'indexed', contentHash, governance, chunks: rows })) || applied;
    }
    return applied;
  }

  /** Records a document as deleted (a tombstone keeping its sequencer) in the given generations. */
  async tombstone(todo: readonly Generation[], base: DocumentVersion): Promise<boolean> {
    let applied = false;
    for (const generation of todo) applied = (await swapDocument(this.deps.db, { ...base, generation, status: 'deleted', chunks: [] })) || applied;
    return applied;
  }

  /** Records a document as skipped with a reason in the given generations. */
  async recordSkip(todo: readonly Generation[], base: DocumentVersion, skipReason: string, governance?: Governance): Promise<boolean> {
    let applied = false;
    for (const generation of todo) applied = (await swapDocument(this.deps.db, { ...base, generation, status: 'skipped', skipReason, governance, chunks: [] })) || applied;
    return applied;
  }

  /** The live generations in which a change with this sequencer would not be stale. */
  async notStale(generations: readonly Generation[], key: string, sequencer: string): Promise<Generation[]> {
    const todo: Generation[] = [];
    for (const g of generations) if (!isStale(await documentState(this.deps.db, g, key), sequencer)) todo.push(g);
    return todo;
  }

  /**
   * While a model change is being built: re-embeds up to `limit` documents of the active generation
   * into the building one, then switches when none is left. Returns what it did.
   */
  async backfill(limit = this.deps.settings.backfillPerInvocation): Promise<{ processed: number; activated: boolean; result: EventResult[] }> {
    const generations = await this.live();
    const active = generations.find((g) => g.state === 'active');
    const building = generations.find((g) => g.state === 'building');
    if (!active || !building) return { processed: 0, activated: false, result: [] };
    const pending = await pendingBackfill(this.deps.db, active, building, limit);
    const result: EventResult[] = [];
    const { settings, source } = this.deps;
    for (const document of pending) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/s.exec(document.sourceKey);
      if (match) {
        // An object document (or, in a rows collection, a Parquet file recorded as skipped: it is read again).
        result.push(await this.apply({ kind: 'created', bucket: match[1], key: match[2], versionId: document.versionId, sequencer: document.sequencer }, [building]));
      } else if (settings.rows) {
        const counters: Counters = { embedded: 0, reused: 0, tokens: 0, calls: 0, throttled: 0, costUsd: 0 };
        const outcome = await backfillRowDocument({ pipeline: this, rows: settings.rows, counters, source, maxObjectBytes: settings.maxObjectBytes }, building, document);
        result.push({ outcome, ...counters });
      } else {
        // A row document in a collection now configured for objects: nothing can re-read it.
        result.push({ outcome: (await this.recordSkip([building], document, 'not-found: a row document, and the collection no longer reads rows')) ? 'skipped' : 'stale', embedded: 0, reused: 0, tokens: 0, calls: 0, throttled: 0, costUsd: 0 });
      }
    }
    const activated = pending.length < limit && (await activateIfComplete(this.deps.db, active, building));
    if (activated) {
      this.generations = undefined;
      this.deps.log?.('generation activated', { collection: building.collection, generation: building.generation, model: building.model, dimensions: building.dimensions });
      await this.dropRetiredIndexes();
    }
    return { processed: pending.length, activated, result };
  }

}

/**
 * The chunker version a generation records: the algorithm's version and the chunk settings, since
 * either changes the chunks (`structure-v1:300:60`). Changing the size or overlap builds a new generation.
 */
export function chunkerVersionOf(chunk: ChunkSettings): string {
  return `${CHUNKER_VERSION}:${chunk.size}:${chunk.overlap}`;
}

/** The chunk settings a generation was built with (the current settings if its version is not parseable). */
export function chunkSettingsOf(chunkerVersion: string, fallback: ChunkSettings): ChunkSettings {
  const match = /:(\d+):(\d+)$/.exec(chunkerVersion);
  return match ? { size: Number(match[1]), overlap: Number(match[2]) } : fallback;
}
