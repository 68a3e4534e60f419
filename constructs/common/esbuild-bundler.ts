import { buildSync } from 'esbuild';
import { dirname } from 'node:path';

/**
 * Bundles one Lambda handler with esbuild. Used by `npm run build` (pre-built bundles in dist/) and,
 * in this repository only, by bundledHandlerCode when no pre-built bundle exists. Not part of the
 * published package: esbuild is a dev dependency.
 */
export function bundleHandler(entry: string, outfile: string): void {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    // Paths in the output are relative to the handler's folder, so they do not depend on the checkout.
    absWorkingDir: dirname(entry),
    logLevel: 'silent',
  });
}
