export * from './names';
export * from './plan-entry';
export * from './privacy-erasure';
export * from './props-validation';
export * from './stack-outputs';
