export * from './bundled-code';
export * from './provider-compliance';
export * from './default-name';
