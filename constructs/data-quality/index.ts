export * from './data-quality';
export * from './names';
export * from './rules';
export { checkWindow, compileQualityQuery, evaluate, HISTORY_COLUMNS, HISTORY_TABLE, historyInsert, qualityMetrics } from './sql';
export type { CheckResult, CheckStatus, CheckWindow, MetricRow, QualityMetric, QualityQueryOptions } from './sql';
