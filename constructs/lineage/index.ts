export * from './events';
export { LINEAGE_COLUMNS, LINEAGE_TABLE, ROWS_PER_STATEMENT, lineageInsert, lineageRow, writersQuery, type LineageColumn, type LineageRow } from './sql';
export * from './template';
export * from './recording';
export * from './static-lineage';
