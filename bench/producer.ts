/**
 * Producer throughput, in process, no network: `npx tsx bench/producer.ts [--count 100000] [--runs 5]`.
 *
 * Seed-shaped sample events (producer/sample-events.ts, seeded) are generated first, outside the timing.
 * Then, per run:
 * - end to end: `EventProducer.send(events)` with a fake client that accepts every PutRecords call at
 *   once, so the figure is mapping + validation + serialization + batching + building the commands;
 * - the same stages timed one by one over the same events: map (`toCanonicalEvent`), validate
 *   (`checkRecord`: the contract checks and the JSON serialization whose size it checks), batch (UTF-8
 *   encoding and `planBatches` within 500 records / 5 MiB).
 *
 * Prints the median of the runs, numbers only: no assertions, no thresholds. One warm-up run first.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { events as eventsDataset } from '../config/datasets/events';
import { checkRecord, EventProducer, planBatches, sampleSeedEvents, seededRandom, toCanonicalEvent, type CanonicalEvent, type PutRecordsClient } from '../producer';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
const COUNT = Number(values.count);
const RUNS = Number(values.runs);

/** Accepts every record of every call, instantly; counts calls and records. */
class AcceptingClient implements PutRecordsClient {
  calls = 0;
  records = 0;
  async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const records = command.input.Records ?? [];
    this.calls += 1;
    this.records += records.length;
    return { FailedRecordCount: 0, Records: records.map(() => ({ SequenceNumber: '1', ShardId: 'shardId-000000000000' })), $metadata: {} };
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Sample {
  endToEndMs: number;
  mapMs: number;
  validateMs: number;
  batchMs: number;
  calls: number;
  sent: number;
  bytes: number;
}

async function sample(events: readonly unknown[]): Promise<Sample> {
  const client = new AcceptingClient();
  const producer = new EventProducer({ client, streamName: 'lakehouse-bench-events', dataset: eventsDataset });
  let started = performance.now();
  const report = await producer.send(events);
  const endToEndMs = performance.now() - started;
  if (report.rejected.length > 0 || report.failed.length > 0) throw new Error(`bench events should all be valid: ${JSON.stringify(report.rejected[0] ?? report.failed[0])}`);

  started = performance.now();
  const mapped: CanonicalEvent[] = [];
  for (const event of events) {
    const result = toCanonicalEvent(event);
    if (result.ok) mapped.push(result.record);
  }
  const mapMs = performance.now() - started;

  const now = Date.now();
  started = performance.now();
  const checked: Array<{ json: string; partitionKey: string; bytes: number }> = [];
  for (const record of mapped) {
    const partitionKey = record.user_id ?? 'anonymous';
    const check = checkRecord(record, eventsDataset, now, { partitionKey });
    if (check.reasons.length === 0 && check.json !== undefined && check.bytes !== undefined) checked.push({ json: check.json, partitionKey, bytes: check.bytes });
  }
  const validateMs = performance.now() - started;

  started = performance.now();
  const encoder = new TextEncoder();
  const prepared = checked.map((entry) => ({ data: encoder.encode(entry.json), partitionKey: entry.partitionKey, bytes: entry.bytes }));
  const batches = planBatches(prepared);
  const batchMs = performance.now() - started;
  if (batches.length !== client.calls) throw new Error(`planBatches made ${batches.length} batches, the producer ${client.calls} calls`);

  return { endToEndMs, mapMs, validateMs, batchMs, calls: client.calls, sent: report.sent, bytes: checked.reduce((sum, entry) => sum + entry.bytes, 0) };
}

async function main() {
  const events = sampleSeedEvents(COUNT, { random: seededRandom(2026) });
  await sample(events.slice(0, Math.min(COUNT, 10_000))); // warm-up: JIT and caches
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1) samples.push(await sample(events));

  const endToEnd = median(samples.map((s) => s.endToEndMs));
  const map = median(samples.map((s) => s.mapMs));
  const validate = median(samples.map((s) => s.validateMs));
  const batch = median(samples.map((s) => s.batchMs));
  const { calls, sent, bytes } = samples[0];
  const stages = map + validate + batch;
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const pct = (ms: number) => `${fmt((100 * ms) / stages, 1)} %`;

  console.log(`producer bench: ${fmt(COUNT)} seed-shaped events, median of ${RUNS} runs (after one warm-up)`);
  console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('');
  console.log(`end to end (EventProducer.send, accepting fake client): ${fmt(endToEnd, 1)} ms, ${fmt((COUNT / endToEnd) * 1000)} events/s`);
  console.log(`sent ${fmt(sent)} records in ${fmt(calls)} PutRecords calls, mean batch ${fmt(sent / calls, 1)} records, ${fmt(bytes / sent, 0)} bytes/record`);
  console.log('');
  console.log('stage        ms      events/s       share');
  for (const [name, ms] of [['map', map], ['validate', validate], ['batch', batch]] as const) {
    console.log(`${name.padEnd(10)} ${fmt(ms, 1).padStart(7)} ${fmt((COUNT / ms) * 1000).padStart(13)} ${pct(ms).padStart(11)}`);
  }
  console.log(`${'stages'.padEnd(10)} ${fmt(stages, 1).padStart(7)} ${fmt((COUNT / stages) * 1000).padStart(13)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
