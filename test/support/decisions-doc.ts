import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './app-context';

/** The rows of the markdown table that follows `heading` in docs/decisions.md, as cells (header row dropped). */
export function decisionsTable(heading: string): string[][] {
  const lines = readFileSync(join(REPO_ROOT, 'docs', 'decisions.md'), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start === -1) throw new Error(`docs/decisions.md has no section "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    // No cell of these tables contains a pipe.
    rows.push(line.trim().slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows.slice(2);
}

/** The backticked items of a cell: "`a`, `b`" → ["a", "b"]. */
export const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

/** A row of the cdk-nag compliance-decisions table. */
export interface NagDecisionRow {
  readonly finding: string;
  readonly ids: string[];
  /** Actions an `AwsSolutions-IAM5[Resource::*]` acknowledgement may cover ([] when the row names none). */
  readonly actions: string[];
  readonly scopes: string[];
  /** Environment names, or undefined for all. */
  readonly environments?: string[];
}

export function nagDecisionRows(): NagDecisionRow[] {
  return decisionsTable('## Compliance decisions').map(([finding, ids, actions, scopes, environments]) => ({
    finding: finding!,
    ids: backticked(ids!),
    actions: backticked(actions!),
    scopes: backticked(scopes!),
    environments: environments === 'all' ? undefined : environments!.split(',').map((name) => name.trim()),
  }));
}

const PACKS = '(NIST\\.800\\.53\\.R5|HIPAA\\.Security|PCI\\.DSS\\.321)';
const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');

/** An acknowledged-ID pattern of the table: `<pack>` is one of the three packs, another `<…>` starting in lowercase any text. */
export function idMatches(pattern: string, id: string): boolean {
  const source = pattern
    .split(/(<[a-z][A-Za-z ]*>)/)
    .map((part) => (part === '<pack>' ? PACKS : /^<[a-z][A-Za-z ]*>$/.test(part) && part !== '<env>' ? '.+' : escape(part)))
    .join('');
  return new RegExp(`^${source}$`).test(id);
}

/** A scope pattern of the table: `**` matches anything, `*` anything within one path segment. */
export function scopeMatches(pattern: string, scope: string): boolean {
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : escape(part)))
    .join('');
  return new RegExp(`^${source}$`).test(scope);
}
