export * from './bundled-code';
export * from './provider-compliance';
