export * from './interface-endpoints';
export * from './lakehouse-network';
