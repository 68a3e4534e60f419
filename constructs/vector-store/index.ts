export * from './collection-validation';
export * from './collections';
export * from './postgres-versions';
export * from './vector-store';
