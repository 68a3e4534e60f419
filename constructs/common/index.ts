export * from './bundled-code';
