export * from './alarm-kinds';
export * from './platform-monitoring';
export * from './topic-target';
