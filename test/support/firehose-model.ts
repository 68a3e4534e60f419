import { spawnSync } from 'node:child_process';

/**
 * Firehose's side of dynamic partitioning, with the real jq 1.6 (the version Firehose runs) doing the
 * metadata extraction: what each record's partition keys are, or why it goes to the error prefix.
 */
export type Extraction = { readonly keys: Record<string, string> } | { readonly error: string };

/** Runs `query` over every record with jq; one result per record, in order. */
export function runJq(query: string, records: readonly unknown[]): Extraction[] {
  const input = records.map((record) => JSON.stringify(record)).join('\n');
  const result = spawnSync('jq', ['-c', `try (${query}) catch {"__error": .}`], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`jq failed (is jq installed?): ${result.stderr || result.error}`);
  const lines = result.stdout.trim().split('\n');
  if (lines.length !== records.length) throw new Error(`jq returned ${lines.length} results for ${records.length} records`);
  return lines.map((line) => {
    const output = JSON.parse(line) as Record<string, unknown>;
    if ('__error' in output) return { error: String(output.__error) };
    return { keys: Object.fromEntries(Object.entries(output).map(([k, v]) => [k, String(v)])) };
  });
}

/** Renders a Firehose prefix: `!{partitionKeyFromQuery:k}` from the keys, `!{timestamp:fmt}` from arrival time (UTC). */
export function renderFirehosePrefix(prefix: string, keys: Record<string, string>, arrival: Date): string {
  return prefix.replace(/!\{(partitionKeyFromQuery|timestamp):([^}]+)\}/g, (_, namespace: string, argument: string) => {
    if (namespace === 'partitionKeyFromQuery') {
      if (!(argument in keys)) throw new Error(`the JQ query does not produce key ${argument}`);
      return keys[argument];
    }
    return formatJavaTimestamp(argument, arrival);
  });
}

/** The subset of Java DateTimeFormatter patterns prefixes use: yyyy, MM, dd, HH. */
function formatJavaTimestamp(pattern: string, date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return pattern
    .replace('yyyy', String(date.getUTCFullYear()))
    .replace('MM', pad(date.getUTCMonth() + 1))
    .replace('dd', pad(date.getUTCDate()))
    .replace('HH', pad(date.getUTCHours()));
}
