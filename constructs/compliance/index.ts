export * from './deferred-acknowledgements';
export * from './glue-table-wildcards';
export * from './grant-policies';
export * from './resource-wildcards';
