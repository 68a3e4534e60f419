import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';

/**
 * Named Athena queries shipped with the product over the `events` table (Athena engine 3, Trino SQL).
 *
 * Each query lives in its own `.sql` file next to this module, starts with a `--` comment block (title,
 * what it computes, how to adapt it) and addresses the table as `{{database}}.events`; the database is
 * substituted here because its name is only known at synth time. Every query filters the `dt` partition
 * key with a bounded range relative to `current_date`, so Athena's partition projection prunes the scan.
 *
 * Packaging: the `.sql` files are read at run time from `__dirname`, which works from the TypeScript
 * source (tsx, vitest) and from the compiled copy in `dist/constructs/catalog/queries/`, provided the
 * build copies the `.sql` files next to the compiled JavaScript (`tsc` does not copy them) and the
 * package's `files` list includes them.
 */

/** One named query, in the shape `AWS::Athena::NamedQuery` takes. */
export interface NamedQueryDefinition {
  /** Stable kebab-case name (Athena allows 1-128 characters). */
  name: string;
  /** What the query computes (Athena allows up to 1024 characters). */
  description: string;
  /** The query text, with `{{database}}` replaced by the database name. */
  sql: string;
}

/** The placeholder in the `.sql` files that stands for the Glue database holding `events`. */
export const DATABASE_PLACEHOLDER = '{{database}}';

interface QueryFile {
  readonly name: string;
  readonly description: string;
}

/** The shipped queries, in presentation order; each is read from `<name>.sql`. */
const QUERY_FILES: readonly QueryFile[] = [
  {
    name: 'daily-active-users',
    description: 'Daily active users (DAU): distinct users with at least one event per day, last 30 complete days (UTC).',
  },
  {
    name: 'monthly-active-users',
    description: 'Monthly active users (MAU): distinct users per calendar month, current month so far and the three before it (UTC).',
  },
  {
    name: 'dau-mau-stickiness',
    description: 'DAU/MAU stickiness: daily active users over rolling 30-day active users, per day for the last 30 complete days.',
  },
  {
    name: 'retention-7-day',
    description: 'Day-7 and week-1 retention of daily sign-up cohorts (signup_completed), by acquisition source, cohorts of the 30 days ending 8 days ago.',
  },
  {
    name: 'funnel-conversion',
    description: 'Ordered conversion funnel signup_started -> signup_completed -> first_purchase within 7 days of entry; edit the SQL to change the steps.',
  },
  {
    name: 'feature-adoption',
    description: 'Feature adoption: distinct users per feature per day and their share of all active users that day, last 30 complete days.',
  },
];

/** Athena and Glue database names that Athena SQL can address without quoting. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,254}$/;

/**
 * The shipped named queries with `{{database}}` replaced by `database`. `database` may be a CDK token
 * (for example a Glue database's `databaseName`); CloudFormation then joins the query text at deploy.
 */
export function namedQueries(database: string): NamedQueryDefinition[] {
  if (!Token.isUnresolved(database) && !DATABASE_NAME.test(database)) {
    throw new Error(
      `namedQueries: database "${database}" cannot be used unquoted in Athena SQL; ` +
        'use lowercase letters, digits and underscores, starting with a letter or underscore (at most 255 characters)',
    );
  }
  return QUERY_FILES.map((query) => ({
    name: query.name,
    description: query.description,
    sql: readQuery(query.name).replaceAll(DATABASE_PLACEHOLDER, database),
  }));
}

/** File names of the shipped queries, relative to this module (for packaging checks). */
export function namedQueryFiles(): string[] {
  return QUERY_FILES.map((query) => `${query.name}.sql`);
}

function readQuery(name: string): string {
  // The build must copy the .sql files next to the compiled JS (see the module comment).
  return fs.readFileSync(path.join(__dirname, `${name}.sql`), 'utf8');
}
