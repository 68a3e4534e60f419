export * from './athena-workgroup';
export * from './lakehouse-catalog';
export * from './parquet-table';
export * from './queries';
export * from './iceberg';
