export * from './lakehouse-backup';
export * from './dr-vault';
export * from './restore-testing';
export * from './vault-policy';
export * from './recovery-evidence';
export * from './recovery-metrics';
