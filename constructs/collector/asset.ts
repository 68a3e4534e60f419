import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledHandlerDirectory } from '../common/bundled-code';
import { renderCollectorSettings, SETTINGS_FILE_NAME, type CollectorSettings } from './settings';

const ASSET_CACHE = join(tmpdir(), 'lakehouse-blueprint-bundles');

/**
 * The collector function's code: the bundled handler plus the settings file, in one directory whose
 * name (and content) depends only on those two files. Identical settings give the same asset hash, so a
 * redeploy without a settings change does not touch the function; any change to a contract, source or
 * limit does, and the new function reads the new file.
 */
export function collectorCode(settings: CollectorSettings): lambda.Code {
  return lambda.Code.fromAsset(collectorAssetDirectory(settings));
}

export function collectorAssetDirectory(settings: CollectorSettings): string {
  const bundle = join(bundledHandlerDirectory(__dirname, 'handler'), 'index.js');
  const text = renderCollectorSettings(settings);
  const digest = createHash('sha256').update(text).update('\0').update(createHash('sha256').update(readFileSync(bundle)).digest('hex')).digest('hex').slice(0, 24);
  const directory = join(ASSET_CACHE, `collector-${digest}`);
  if (existsSync(join(directory, SETTINGS_FILE_NAME))) return directory;
  // Built aside and renamed into place: a concurrent synth (test workers) never sees half a directory.
  const partial = `${directory}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  copyFileSync(bundle, join(partial, 'index.js'));
  writeFileSync(join(partial, SETTINGS_FILE_NAME), text);
  try {
    renameSync(partial, directory);
  } catch (error) {
    // Another process renamed its identical copy first.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(directory, SETTINGS_FILE_NAME))) throw error;
  }
  return directory;
}
