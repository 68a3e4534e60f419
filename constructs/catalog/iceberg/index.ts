export * from './ddl';
export * from './iceberg-tables';
export * from './table-upkeep';
