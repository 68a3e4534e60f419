export * from './collection-validation';
export * from './collections';
export * from './connection-environment';
export { roleNames, type RoleNames } from './migrations';
export * from './postgres-versions';
export * from './vector-store';
export * from './master-username';
