import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events } from '../../config/datasets/events';
import { ValidationReport } from '../../constructs/common/validation-report';
import {
  loadCollectorSettings,
  parseCollectorSettings,
  renderCollectorSettings,
  SETTINGS_FILE_ENV,
  type CollectorSettings,
} from '../../constructs/collector/settings';

/** A valid document; each case breaks one thing in a copy of it. */
function valid(): Record<string, any> {
  return {
    version: 1,
    sources: [{ name: 'web', writeKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:lakehouse/collector/web-AbCdEf', datasets: ['events'] }],
    datasets: [{ name: 'events', streamName: 'lakehouse-dev-events', definition: structuredClone(events) }],
    quarantine: { streamName: 'lakehouse-dev-collector_quarantine' },
    limits: { maxEventBytes: 32768, maxBatchBytes: 512000, maxBatchEvents: 2500 },
    privacy: { ip: 'truncate', keepUserAgent: false },
    keyCacheSeconds: 300,
  };
}

function problemLines(breakIt: (s: Record<string, any>) => void): string[] {
  const settings = valid();
  breakIt(settings);
  try {
    parseCollectorSettings(settings, 'collector-settings.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationReport);
    return (error as ValidationReport).message.split('\n').slice(1);
  }
  throw new Error('the settings were accepted');
}

describe('collector settings', () => {
  it('accepts a complete document and returns it unchanged', () => {
    const settings = valid();
    expect(parseCollectorSettings(settings)).toEqual(settings);
  });

  it('accepts allowed origins: any (*) or scheme, host and port', () => {
    expect(() => parseCollectorSettings({ ...valid(), allowedOrigins: ['*', 'https://shop.example.com', 'http://localhost:3000'] })).not.toThrow();
  });

  it('accepts a secret name where an ARN would do (GetSecretValue takes both)', () => {
    expect(() => parseCollectorSettings({ ...valid(), sources: [{ ...valid().sources[0], writeKeySecretArn: 'lakehouse/collector/web' }] })).not.toThrow();
  });

  const cases: Array<[string, (s: Record<string, any>) => void, string]> = [
    ['a different version', (s) => (s.version = 2), '  - version: got 2; must be one of 1'],
    ['an origin with a path', (s) => (s.allowedOrigins = ['https://shop.example.com/']), '  - allowedOrigins[0]: got "https://shop.example.com/"; must match'],
    ['an origin without a scheme', (s) => (s.allowedOrigins = ['shop.example.com']), '  - allowedOrigins[0]: got "shop.example.com"; must match'],
    ['allowedOrigins as a string', (s) => (s.allowedOrigins = '*'), '  - allowedOrigins: got "*"; must be an array'],
    ['a source naming an unknown dataset', (s) => (s.sources[0].datasets = ['orders']), '  - sources[0].datasets[0]: got "orders"; must be one of the collector\'s datasets (events)'],
    ['a source with no dataset', (s) => (s.sources[0].datasets = []), '  - sources[0].datasets: got []; must name at least one dataset the source may write'],
    ['a duplicate source', (s) => s.sources.push({ ...s.sources[0] }), '  - sources[1].name: got "web"; must be unique: source "web" is declared twice'],
    ['an uppercase source name', (s) => (s.sources[0].name = 'Web'), '  - sources[0].name: got "Web"; must match /^[a-z][a-z0-9-]{0,62}$/'],
    ['a key instead of a secret reference', (s) => (s.sources[0].writeKeySecretArn = 'key with spaces'), '  - sources[0].writeKeySecretArn: got "key with spaces"; must match'],
    ['an event limit over Segment\'s 32 KB', (s) => (s.limits.maxEventBytes = 32769), '  - limits.maxEventBytes: got 32769; must be a whole number from 1 to 32768'],
    ['a batch limit over 500 KB', (s) => (s.limits.maxBatchBytes = 512001), '  - limits.maxBatchBytes: got 512001; must be a whole number from 1 to 512000'],
    ['2,501 events per batch', (s) => (s.limits.maxBatchEvents = 2501), '  - limits.maxBatchEvents: got 2501; must be a whole number from 1 to 2500'],
    ['a batch smaller than an event', (s) => (s.limits.maxBatchBytes = 1000), '  - limits.maxBatchBytes: got 1000; must be at least limits.maxEventBytes (32768)'],
    ['an unknown IP policy', (s) => (s.privacy.ip = 'hash'), '  - privacy.ip: got "hash"; must be one of "truncate", "drop", "keep"'],
    ['a string for a boolean', (s) => (s.privacy.keepUserAgent = 'yes'), '  - privacy.keepUserAgent: got "yes"; must be one of true, false'],
    ['a key cache over an hour', (s) => (s.keyCacheSeconds = 3601), '  - keyCacheSeconds: got 3601; must be a whole number from 0 to 3600'],
    ['a misspelt field', (s) => ((s.keyCacheSecond = 1), delete s.keyCacheSeconds), '  - keyCacheSeconds: got (missing); is required'],
    ['an unknown contract field', (s) => (s.datasets[0].definition.colour = 'red'), '  - datasets[0].definition.colour: got "red"; is not a field here'],
    ['a definition of another dataset', (s) => (s.datasets[0].definition.name = 'orders'), '  - datasets[0].definition.name: got "orders"; must equal the entry\'s name "events"'],
    ['an invalid stream name', (s) => (s.quarantine.streamName = 'has space'), '  - quarantine.streamName: got "has space"; must match'],
  ];
  for (const [title, breakIt, line] of cases) {
    it(`refuses ${title}`, () => {
      expect(problemLines(breakIt).some((l) => l.startsWith(line))).toBe(true);
    });
  }

  it('renders identical settings to identical text whatever the key order', () => {
    const a = valid() as CollectorSettings;
    const reordered = Object.fromEntries(Object.entries(valid()).reverse()) as unknown as CollectorSettings;
    expect(renderCollectorSettings(reordered)).toBe(renderCollectorSettings(a));
    expect(JSON.parse(renderCollectorSettings(a))).toEqual(a);
  });

  it('loads the file named by the environment, relative to the handler folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'collector-settings-'));
    writeFileSync(join(dir, 'collector-settings.json'), renderCollectorSettings(valid() as CollectorSettings));
    expect(loadCollectorSettings({ [SETTINGS_FILE_ENV]: 'collector-settings.json' }, dir).sources[0].name).toBe('web');
  });

  it('reports a missing variable, a missing file and a non-JSON file without a stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'collector-settings-'));
    writeFileSync(join(dir, 'bad.json'), '{"version":');
    expect(() => loadCollectorSettings({}, dir)).toThrow(/COLLECTOR_SETTINGS_FILE .*got \(missing\); must name the settings file/s);
    expect(() => loadCollectorSettings({ [SETTINGS_FILE_ENV]: 'nope.json' }, dir)).toThrow(/must name a readable file \(ENOENT/);
    expect(() => loadCollectorSettings({ [SETTINGS_FILE_ENV]: 'bad.json' }, dir)).toThrow(/must hold one JSON document/);
  });
});
