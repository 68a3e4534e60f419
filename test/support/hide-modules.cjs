// Preloaded with `tsx --require` (a preload is not transpiled, hence plain CommonJS) to make packages
// look uninstalled: resolving any package named in HIDE_MODULES (comma-separated) fails exactly as it
// does when the package is absent.
/* global require, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module');
const hidden = new Set((process.env.HIDE_MODULES || '').split(',').filter(Boolean));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.has(request)) throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
