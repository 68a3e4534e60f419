export * from './deferred-acknowledgements';
