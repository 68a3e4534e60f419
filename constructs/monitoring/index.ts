export * from './alarm-kinds';
export * from './platform-monitoring';
