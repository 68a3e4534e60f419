import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES } from '../config/limits';
import { SYNTH_ROOT } from './synth-all';

/**
 * Every template `npm run synth:all` wrote (cdk.out/<env>/*.template.json), for the template linters.
 * Throws, naming `command`, when an environment was not synthesized.
 */
export function synthesizedTemplates(command: string, root = SYNTH_ROOT): string[] {
  const templates = ENVIRONMENT_NAMES.flatMap((environment) => {
    const dir = join(root, environment);
    if (!existsSync(dir)) throw new Error(`${dir} is missing; run npm run synth:all first`);
    return readdirSync(dir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => join(dir, file));
  });
  if (templates.length === 0) throw new Error(`no templates found under ${root} (${command})`);
  return templates;
}
