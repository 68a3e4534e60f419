import { ConfigValidationError, problemsFromZod } from './errors';
import { UnknownEnvironmentError } from './unknown-environment';
import { ENVIRONMENT_NAMES, type EnvironmentName } from './limits';
import { environmentSchema, type EnvironmentConfig } from './schema';
import { withPrivacyDefaults } from './privacy-schema';
import { macieSessionProblem, type MacieSessionEnvironment } from './privacy-audit-schema';
import { dev } from './environments/dev';
import { staging } from './environments/staging';
import { prod } from './environments/prod';

export { UnknownEnvironmentError };

const ENVIRONMENT_FILES: Record<EnvironmentName, unknown> = { dev, staging, prod };

/** The default environment when `-c env=` is not given. */
export const DEFAULT_ENVIRONMENT: EnvironmentName = 'dev';

/** Where an environment's file lives, as the user would open it. */
export function environmentFile(name: string): string {
  return `config/environments/${name}.ts`;
}

export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/**
 * Validates a raw environment object against the schema, filling in defaults.
 * Throws ConfigValidationError naming `file`, each bad field, its value and what is allowed.
 */
export function validateEnvironmentConfig(raw: unknown, file: string, expectedName?: string): EnvironmentConfig {
  // Defaults that depend on the environment's name (the privacy ledger's lock) are filled in first.
  const input = withPrivacyDefaults(raw);
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigValidationError(file, problemsFromZod(input, result.error.issues, environmentSchema));
  }
  if (expectedName !== undefined && result.data.name !== expectedName) {
    throw new ConfigValidationError(file, [
      { field: 'name', value: JSON.stringify(result.data.name), allowed: `must be "${expectedName}", the name of its file` },
    ]);
  }
  return result.data;
}

/** Loads and validates the named environment. Unknown names list the valid ones. */
export function loadEnvironmentConfig(name: string = DEFAULT_ENVIRONMENT): EnvironmentConfig {
  if (!isEnvironmentName(name)) throw new UnknownEnvironmentError(name);
  const config = validateEnvironmentConfig(ENVIRONMENT_FILES[name], environmentFile(name), name);
  // The other environments, as far as they validate; an invalid one is reported when it is loaded.
  const others = Object.entries(ENVIRONMENT_FILES)
    .filter(([other]) => other !== name)
    .flatMap(([, raw]) => {
      const parsed = environmentSchema.safeParse(withPrivacyDefaults(raw));
      return parsed.success ? [parsed.data] : [];
    });
  validateAccountOwnership(config, others);
  validateMacieSession(config, others);
  return config;
}

/** What the Macie-session check reads of a validated environment. */
function macieEnvironment(config: EnvironmentConfig): MacieSessionEnvironment {
  // Without the privacy stack nothing is deployed, so nothing manages a session.
  const discovery = config.privacy.enabled ? config.privacy.discovery : { ...config.privacy.discovery, enabled: false };
  return { name: config.name, account: config.account, region: config.region, discovery };
}

/**
 * Macie has one session per account and region: at most one environment deploying there may create it
 * (`privacy.discovery.manageMacieSession`), or the second deploy fails.
 */
export function validateMacieSession(config: EnvironmentConfig, others: readonly EnvironmentConfig[]): void {
  const problem = macieSessionProblem(macieEnvironment(config), others.map(macieEnvironment));
  if (problem) throw new ConfigValidationError(environmentFile(config.name), [problem]);
}

/**
 * Lake Formation settings, LF-tags and catalog encryption exist once per account and region: at most
 * one environment per account may own them (docs/architecture.md, "Account-wide settings").
 */
export function validateAccountOwnership(config: EnvironmentConfig, others: readonly EnvironmentConfig[]): void {
  if (!config.governance.ownsAccountSettings || config.account === undefined) return;
  const rival = others.find(
    (other) => other.account === config.account && other.region === config.region && other.governance.ownsAccountSettings,
  );
  if (rival) {
    throw new ConfigValidationError(environmentFile(config.name), [
      {
        field: 'governance.ownsAccountSettings',
        value: 'true',
        allowed:
          `${environmentFile(rival.name)} also owns the account-wide settings of account ${config.account} in ${config.region}; ` +
          'exactly one environment per account may: set ownsAccountSettings: false in one and give it the owner\'s accountCatalogKeyArn',
      },
    ]);
  }
}
