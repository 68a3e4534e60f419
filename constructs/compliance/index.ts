export * from './deferred-acknowledgements';
export * from './grant-policies';
export * from './resource-wildcards';
