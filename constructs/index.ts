/**
 * Lakehouse Blueprint construct library: reusable, secure-by-default L3 constructs for a governed
 * lakehouse on AWS. Each construct's folder has a README with its default settings.
 */
export * from './keys';
export * from './network';
export * from './storage';
export * from './datasets';
export * from './catalog';
export * from './governance';
export * from './compliance';
export * from './ingestion';
export * from './backup';
export * from './vector-store';
export * from './monitoring';
export * from './elt';
export * from './data-quality';
export * from './lineage';
export * from './embeddings';
export * from './orchestration';
export * from './collector';
export * from './privacy';
export * from './common/validation-report';
