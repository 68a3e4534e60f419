export * from './lakehouse-backup';
