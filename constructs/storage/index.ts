export * from './data-lake-storage';
export * from './encryption-policy';
export * from './storage-compliance';
