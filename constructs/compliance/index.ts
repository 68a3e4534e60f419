export * from './deferred-acknowledgements';
export * from './execution-wildcards';
export * from './glue-table-wildcards';
export * from './grant-policies';
export * from './resource-wildcards';
export * from './vpc-lambda-role';
export * from './unrotated-secrets';
