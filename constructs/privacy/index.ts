export * from './access-trail';
export * from './access-trail-selectors';
export * from './audit-key-policies';
export * from './audit-limits';
export * from './discovery-job/spec';
export * from './pii-discovery';
export * from './pii-findings';
