import { ENVIRONMENT_NAMES } from './limits';

/**
 * Thrown for an environment name that has no file. In a file of its own so that the entry point can
 * recognise it without loading the environment files (which may themselves fail to load).
 */
export class UnknownEnvironmentError extends Error {
  constructor(readonly requested: string) {
    super(
      `Unknown environment "${requested}" (from -c env=${requested}). ` +
        `Valid environments: ${ENVIRONMENT_NAMES.join(', ')} (files in config/environments/).`,
    );
    this.name = 'UnknownEnvironmentError';
  }
}
