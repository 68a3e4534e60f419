export * from './ddl';
export * from './iceberg-tables';
