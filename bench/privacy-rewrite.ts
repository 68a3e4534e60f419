/**
 * Erasure rewrite speed, in process, no network: `npx tsx bench/privacy-rewrite.ts [--rows 200000] [--users 2000] [--runs 3]`.
 *
 * DuckDB writes an events-shaped Parquet file (SNAPPY, the events dataset's nested columns); then, per run,
 * the rewrite (constructs/privacy/parquet-rewrite.ts) removes the rows of 1 % of the users, and DuckDB does
 * the same filter in one statement (`COPY (SELECT … WHERE user_id NOT IN …) TO … (FORMAT parquet,
 * COMPRESSION snappy)`, one thread, as the Lambda rewrite has one). Prints medians and the ratio; the peak
 * memory of one rewrite is measured in a child process (its maximum RSS above the file loaded). Numbers
 * only: no assertions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { rewriteWithoutSubjects } from '../constructs/privacy/parquet-rewrite';
import { eventsSelect } from '../test/privacy/duckdb-parquet';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, users: { type: 'string', default: '2000' }, runs: { type: 'string', default: '3' }, 'memory-of': { type: 'string' } },
});

const subjectsFor = (users: number) => new Set(Array.from({ length: Math.max(1, Math.floor(users / 100)) }, (_, index) => `u${index * 100}`));

/** Child mode: one rewrite of the given file; prints the RSS it added (MiB). */
function memoryOf(path: string, users: number): void {
  const bytes = readFileSync(path);
  const before = process.resourceUsage().maxRSS;
  const result = rewriteWithoutSubjects(bytes, ['user_id'], subjectsFor(users));
  const after = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ addedMiB: (after - before) / 1024, kind: result.kind }));
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function main(): Promise<void> {
  const [ROWS, USERS, RUNS] = [Number(values.rows), Number(values.users), Number(values.runs)];
  const folder = mkdtempSync(join(tmpdir(), 'bench-privacy-rewrite-'));
  try {
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    await duck.run("SET TimeZone = 'UTC'");
    await duck.run('SET threads = 1');
    const source = join(folder, 'events.parquet');
    await duck.run(`COPY (${eventsSelect(ROWS, USERS)}) TO '${source}' (FORMAT parquet, COMPRESSION snappy)`);
    const bytes = readFileSync(source);
    const subjects = subjectsFor(USERS);
    const list = [...subjects].map((id) => `'${id}'`).join(', ');

    const ours: number[] = [];
    const theirs: number[] = [];
    let removed = 0;
    let outBytes = 0;
    for (let run = 0; run < RUNS; run += 1) {
      let start = performance.now();
      const result = rewriteWithoutSubjects(bytes, ['user_id'], subjects);
      ours.push(performance.now() - start);
      if (result.kind === 'rewritten') {
        removed = result.rowsRemoved;
        outBytes = result.bytes.byteLength;
        writeFileSync(join(folder, 'ours.parquet'), result.bytes);
      }
      start = performance.now();
      await duck.run(`COPY (SELECT * FROM read_parquet('${source}') WHERE user_id IS NULL OR user_id NOT IN (${list})) TO '${join(folder, 'duckdb.parquet')}' (FORMAT parquet, COMPRESSION snappy)`);
      theirs.push(performance.now() - start);
    }
    duck.closeSync();

    const child = execFileSync(process.execPath, [...process.execArgv, __filename, '--memory-of', source, '--users', String(USERS)], { encoding: 'utf-8' });
    const memory = JSON.parse(child.trim().split('\n').at(-1) ?? '{}') as { addedMiB: number };

    const mib = bytes.byteLength / 1024 / 1024;
    const [oursMs, duckMs] = [median(ours), median(theirs)];
    console.log(`privacy rewrite: ${ROWS} events rows, ${mib.toFixed(2)} MiB SNAPPY Parquet, ${subjects.size} of ${USERS} users erased (${removed} rows); ${RUNS} run(s), median; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
    console.log(`  rewrite (hyparquet, 1 thread): ${oursMs.toFixed(0)} ms, ${(mib / (oursMs / 1000)).toFixed(1)} MB/s, ${Math.round(ROWS / (oursMs / 1000))} rows/s; output ${(outBytes / 1024 / 1024).toFixed(2)} MiB (DuckDB's: ${(statSync(join(folder, 'duckdb.parquet')).size / 1024 / 1024).toFixed(2)} MiB)`);
    console.log(`  DuckDB COPY … WHERE (1 thread): ${duckMs.toFixed(0)} ms, ${(mib / (duckMs / 1000)).toFixed(1)} MB/s, ${Math.round(ROWS / (duckMs / 1000))} rows/s`);
    console.log(`  ratio rewrite / DuckDB: ${(oursMs / duckMs).toFixed(1)}x`);
    console.log(`  peak memory of one rewrite: +${memory.addedMiB.toFixed(0)} MiB RSS for a ${mib.toFixed(2)} MiB object (${(memory.addedMiB / mib).toFixed(1)}x)`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (values['memory-of']) memoryOf(values['memory-of'], Number(values.users));
else void main();
