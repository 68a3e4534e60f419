// The construct and the settings it validates; the handler and its SDK-bound modules are bundled, not exported.
export * from './embeddings-pipeline';
export { allowEventBridgeToQueues } from './queue-key';
export { limitProblems, settingsProblems, visibilityTimeoutSeconds, VISIBILITY_TIMEOUT_FACTOR } from './pipeline-validation';
export {
  CHUNKER_VERSION,
  DEFAULT_MODEL_ID,
  EMBEDDING_MODELS,
  EmbeddingSettingsError,
  resolveSettings,
  type ChunkSettings,
  type EmbeddingCollectionSettings,
  type EmbeddingModel,
  type EmbeddingSettingsInput,
  DEFAULT_ROW_COLUMNS,
  type DocumentSource,
  type RowSettings,
} from './settings';
export { defaultMetadataColumn, rowClassification, rowSourceProblems, type RowSourceProblem } from './row-source-validation';
