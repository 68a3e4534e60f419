export * from './interface-endpoints';
export * from './lakehouse-network';
export * from './endpoint-policies';
