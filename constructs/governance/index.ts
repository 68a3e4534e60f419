export * from './governance-compliance';
export * from './lake-governance';
