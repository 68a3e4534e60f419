import { ENVIRONMENT_NAMES } from '../../config/limits';
import { loadEnvironmentConfig } from '../../config/load';
import { collectAcknowledgements, type Acknowledgement } from './acknowledgements';
import { buildEnvironment } from './synth';

/** Rule-ID prefixes of the four cdk-nag packs the app applies. */
const NAG_PREFIXES = ['AwsSolutions-', 'NIST.800.53.R5-', 'HIPAA.Security-', 'PCI.DSS.321-'];

interface Row {
  readonly rule: string;
  /** Scope with the environment's stack prefix replaced by `<env>`, so rows merge across environments. */
  readonly scope: string;
  readonly reason: string;
  readonly environments: string[];
}

type Rows = { readonly nag: readonly Row[]; readonly builtin: readonly Row[] };
let memo: Rows | undefined;

/**
 * Acknowledgements of every environment, merged where rule, scope and reason agree. Computed once per
 * process (three full synths; the code cannot change while a test file runs).
 */
export function acknowledgementRows(): Rows {
  memo ??= collectRows();
  return memo;
}

function collectRows(): Rows {
  const rows = new Map<string, Row>();
  for (const name of ENVIRONMENT_NAMES) {
    const { project } = loadEnvironmentConfig(name);
    const { app } = buildEnvironment(name);
    // Some acknowledgements are only recorded during synthesis (DeferredAcknowledgements), so synthesize
    // first; a synth that fails on findings still records them, and the nag test reports the findings.
    try {
      app.synth();
    } catch {
      // reported by test/app/compliance.test.ts
    }
    for (const ack of collectAcknowledgements(app)) {
      const scope = genericScope(ack, `${project}-${name}-`);
      // Granular IDs embed stack names (cross-stack references); write them generically as well.
      const rule = ack.rule.split(`${project}-${name}-`).join('<env>-');
      const key = `${rule}\u0000${scope}\u0000${ack.reason}`;
      const row = rows.get(key) ?? { rule, scope, reason: ack.reason, environments: [] };
      row.environments.push(name);
      rows.set(key, row);
    }
  }
  const all = [...rows.values()].sort((a, b) => a.scope.localeCompare(b.scope) || a.rule.localeCompare(b.rule));
  const isNag = (row: Row) => NAG_PREFIXES.some((prefix) => row.rule.startsWith(prefix));
  return { nag: all.filter(isNag), builtin: all.filter((row) => !isNag(row)) };
}

function genericScope(ack: Acknowledgement, stackPrefix: string): string {
  if (ack.scope === '') return '(app)';
  return ack.scope.startsWith(stackPrefix) ? `<env>-${ack.scope.slice(stackPrefix.length)}` : ack.scope;
}

const escape = (text: string) => text.replace(/\|/g, '\\|');

function table(rows: readonly Row[]): string {
  const lines = ['| rule | scope | environments | reason |', '|---|---|---|---|'];
  for (const row of rows) {
    const envs = row.environments.length === ENVIRONMENT_NAMES.length ? 'all' : row.environments.join(', ');
    lines.push(`| \`${escape(row.rule)}\` | \`${escape(row.scope)}\` | ${envs} | ${escape(row.reason)} |`);
  }
  return lines.join('\n');
}

/** The whole of docs/compliance.md. */
export function renderComplianceDoc(): string {
  const { nag, builtin } = acknowledgementRows();
  return `# Compliance acknowledgements

Generated from the synthesized app by \`npm run docs:compliance\`; \`test/app/compliance-doc.test.ts\` fails
when this file and the code disagree. Do not edit by hand.

The app applies four cdk-nag packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1) as
validation plugins, so \`cdk synth\` fails on any finding not listed here. Every row below follows a row
of the compliance-decisions table in [decisions.md](decisions.md), at the scope that table names; everything else is fixed.
Scopes are construct paths; \`<env>\` stands for \`<project>-<environment>\` (for example \`lakehouse-prod\`).

## cdk-nag acknowledgements (${nag.length})

${table(nag)}

## Acknowledgements made by aws-cdk-lib itself (${builtin.length})

These are not ours: aws-cdk-lib records them on its own constructs for its built-in CloudFormation
validation. They are listed so that the inventory is complete.

${table(builtin)}
`;
}
