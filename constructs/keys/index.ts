export * from './key-policies';
export * from './platform-keys';
