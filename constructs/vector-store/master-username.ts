/**
 * The database's master user name. Not `postgres`: the engine's well-known superuser name is the first
 * one an attacker tries, and RDS lets any other name hold the same (rds_superuser) role.
 */
export const DEFAULT_MASTER_USERNAME = 'lakehouse_admin';

/** Names RDS for PostgreSQL or PostgreSQL itself keeps for its own roles (and SQL words that are not role names). */
const RESERVED_MASTER_USERNAMES = new Set([
  'rdsadmin',
  'rdsrepladmin',
  'rdstopmgr',
  'public',
  'none',
  'all',
  'user',
  'current_user',
  'current_role',
  'session_user',
  'system_user',
]);

/** Reserved prefixes: `pg_` (PostgreSQL's predefined roles) and `rds_` (RDS's: rds_superuser, rds_iam, …). */
const RESERVED_PREFIXES = ['pg_', 'rds_'] as const;

/**
 * Why `name` cannot be the master user name, or `undefined` when it can. RDS accepts 1-63 letters,
 * digits and underscores starting with a letter; `appRoles` are the roles the bootstrap creates (the
 * master user must not collide with them).
 */
export function masterUsernameProblem(name: string, appRoles: readonly string[] = []): string | undefined {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) {
    return 'must be 1-63 lowercase letters, digits or underscores, starting with a letter (RDS master user name rules)';
  }
  if (RESERVED_MASTER_USERNAMES.has(name)) return `is reserved by PostgreSQL or RDS; choose another name such as ${DEFAULT_MASTER_USERNAME}`;
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `must not start with "${prefix}" (reserved for PostgreSQL and RDS roles); choose another name such as ${DEFAULT_MASTER_USERNAME}`;
  if (appRoles.includes(name)) return `is one of the application roles the bootstrap creates (${appRoles.join(', ')}); choose another name`;
  return undefined;
}
