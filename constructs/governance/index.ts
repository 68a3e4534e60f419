export * from './governance-compliance';
export * from './lake-governance';
export * from './table-grants';
export * from './dataset-tags';
