/**
 * Renders docs/runbooks/alarms.md from the alarm kinds the monitoring construct raises
 * (constructs/monitoring/alarm-kinds.ts), so the runbook and the alarms cannot drift apart.
 * Usage: npm run docs:runbooks (writes) | tsx scripts/runbooks.ts (prints)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_KINDS, type AlarmKindDescription } from '../constructs/monitoring/alarm-kinds';

export function renderAlarmRunbook(): string {
  const entries = Object.entries(ALARM_KINDS as Record<string, AlarmKindDescription>).map(
    ([kind, entry]) => `## ${kind}

**${entry.title}.** ${entry.summary}.

First three things to check:

1. ${entry.check[0]}
2. ${entry.check[1]}
3. ${entry.check[2]}

How to recover: ${entry.recover}

Missing data: ${entry.missingData}
`,
  );
  return `# Alarm runbook

Generated from \`constructs/monitoring/alarm-kinds.ts\` by \`npm run docs:runbooks\`; do not edit by hand.
Every alarm's description links to its entry here and lists the metrics it reads. Every alarm notifies the
environment's alarm topic when it enters ALARM and when it returns to OK; the composite **PlatformDegraded**
alarm is in ALARM while any of them is. The dashboard (\`<project>-<env>\` in CloudWatch) shows the alarm
status first, then a row per stage. Where datasets are split over operations shards, each shard has its own
roll-up composite and dashboard pages (\`<name>\`, \`<name>-2\`, …, each starting with a line naming all pages),
and an environment roll-up covers the base and every shard.

An alarm that folds several signals (Delivery, DatasetQuality) reads each as its own labelled metric: the
alarm's description names them and its metric math lists each as a query (open the alarm in CloudWatch
Metrics to graph them), so the signal that crossed its threshold can be read off.

Alarm subscriptions by e-mail must be confirmed once by each recipient before anything is delivered.

${entries.join('\n')}`;
}

if (require.main === module) {
  const doc = renderAlarmRunbook();
  if (process.argv.includes('--write')) {
    writeFileSync(join(__dirname, '..', 'docs', 'runbooks', 'alarms.md'), doc);
    console.log('Wrote docs/runbooks/alarms.md');
  } else {
    process.stdout.write(doc);
  }
}
