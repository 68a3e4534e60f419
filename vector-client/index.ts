/**
 * Runtime client for the vector store (consumers' Lambda functions and services). No CDK code.
 * See README.md in this folder.
 */
export * from './client';
export * from './environment';
export type { DistanceMetric, HnswIndex, IvfflatIndex, VectorCollection, VectorIndex } from '../constructs/vector-store/collections';
export { roleNames, type RoleNames } from '../constructs/vector-store/migrations';
export * from './documents';
