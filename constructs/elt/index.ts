export * from './metrics-elt';
export * from './steps';
