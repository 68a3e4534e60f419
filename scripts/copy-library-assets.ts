/**
 * Completes dist/ after `tsc`: copies SQL files next to the compiled constructs that read them, and
 * pre-bundles every Lambda handler (`constructs/**\/handler.ts` → `dist/…/handler.bundle/index.js`, and
 * `constructs/**\/handlers/<name>.ts` → `dist/…/handlers/<name>.bundle/index.js`) so
 * that the published package synthesizes without esbuild, Docker or our dev dependencies.
 * Run by `npm run build`.
 */
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { bundleHandler } from '../constructs/common/esbuild-bundler';

const root = join(__dirname, '..');
const source = join(root, 'constructs');
const target = join(root, 'dist', 'constructs');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const files = walk(source);
let copied = 0;
for (const file of files.filter((path) => path.endsWith('.sql'))) {
  const destination = join(target, relative(source, file));
  mkdirSync(dirname(destination), { recursive: true });
  cpSync(file, destination);
  copied += 1;
}
let bundled = 0;
// `handler.ts` next to a construct, and every file of a `handlers/` folder (the erasure workflow's several).
const isHandler = (path: string) => path.endsWith('/handler.ts') || (/\/handlers\/[^/]+\.ts$/.test(path) && !path.endsWith('.d.ts'));
for (const entry of files.filter(isHandler)) {
  const outdir = join(target, relative(source, dirname(entry)), `${basename(entry, '.ts')}.bundle`);
  bundleHandler(entry, join(outdir, 'index.js'));
  bundled += 1;
}
console.log(`dist/constructs: copied ${copied} SQL files, pre-bundled ${bundled} handlers`);
