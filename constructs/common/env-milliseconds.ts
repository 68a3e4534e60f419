/**
 * Lambda handlers' numeric settings from environment variables. Handlers are bundled with esbuild, so
 * this small module goes into each bundle that imports it; it imports nothing.
 */

/** A positive number of milliseconds from `name`; undefined when unset or empty; an error naming the variable otherwise. */
export function envMilliseconds(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${raw}"`);
  return value;
}
