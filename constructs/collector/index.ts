export * from './collector';
export * from './greater-than-pattern';
export * from './limits';
export * from './metrics';
export * from './settings';
export * from './web-acl';
export * from './write-key-document';
export * from './quarantine-record';
