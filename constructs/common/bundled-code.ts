import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Bundles a handler entry file into a single CommonJS file (see esbuild-bundler.ts). */
export type SourceBundler = (entry: string, outfile: string) => void;

let sourceBundler: SourceBundler | undefined;
/** Bundles made in this process, by entry file: each handler is bundled once per process. */
const bundles = new Map<string, string>();
/** One fixed folder per handler, reused by every process, so nothing accumulates in the temp dir. */
const BUNDLE_CACHE = join(tmpdir(), 'lakehouse-blueprint-bundles');

/**
 * Registers the bundler used when the library runs from its TypeScript sources (this repository's app,
 * tests and scripts). The published package never needs one: its handlers are pre-built.
 */
export function useSourceBundler(bundler: SourceBundler): void {
  sourceBundler = bundler;
}

/**
 * Lambda code for a handler that sits next to a construct, without Docker and without bundling at the
 * consumer's synth.
 *
 * - In the published package, `npm run build` has already bundled `<name>.ts` into
 *   `<name>.bundle/index.js` next to the compiled construct, and that directory is the asset.
 * - In this repository (TypeScript source run by tsx or vitest) there is no bundle, so the handler is
 *   bundled on the spot, with the bundler registered through `useSourceBundler` (esbuild, a dev
 *   dependency), into a fresh temporary directory. The output depends only on the sources, so the
 *   asset hash is stable.
 *
 * @param directory the construct's `__dirname`
 * @param name the handler file's name without extension (`handler`)
 */
export function bundledHandlerCode(directory: string, name: string): lambda.Code {
  return lambda.Code.fromAsset(bundledHandlerDirectory(directory, name));
}

/**
 * The directory holding `index.js` for the handler `<directory>/<name>.ts`: the pre-built bundle in the
 * published package, or a fresh bundle made once per process from the sources (see bundledHandlerCode).
 * For constructs that ship more files next to the bundle (a settings document).
 */
export function bundledHandlerDirectory(directory: string, name: string): string {
  const prebuilt = join(directory, `${name}.bundle`);
  if (existsSync(join(prebuilt, 'index.js'))) return prebuilt;
  const entry = join(directory, `${name}.ts`);
  if (!existsSync(entry)) {
    throw new Error(`no pre-built handler at ${prebuilt}/index.js and no source at ${entry}: rebuild or reinstall the package`);
  }
  if (!sourceBundler) {
    throw new Error(`no pre-built handler at ${prebuilt}/index.js: running from sources needs useSourceBundler(bundleHandler) first`);
  }
  let outdir = bundles.get(entry);
  if (!outdir) {
    const key = createHash('sha256').update(entry).digest('hex').slice(0, 16);
    outdir = join(BUNDLE_CACHE, `${basename(directory)}-${name}-${key}`);
    mkdirSync(outdir, { recursive: true });
    // Bundle next to the folder (not in it, which would change the asset) and rename over the target:
    // concurrent processes (test workers) never see a half-written file; their outputs are identical.
    const partial = join(BUNDLE_CACHE, `${basename(outdir)}.${process.pid}.partial.js`);
    sourceBundler(entry, partial);
    renameSync(partial, join(outdir, 'index.js'));
    bundles.set(entry, outdir);
  }
  return outdir;
}

/** The Node.js runtime every handler of this library targets (the bundles use Node 22 syntax, which it runs). */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;
