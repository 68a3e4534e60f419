import { spawnSync } from 'node:child_process';

/**
 * Which of `types` support a `Tags` property, according to the CloudFormation resource schemas that
 * ship with cfn-lint (preinstalled here and in CI): the registry's own answer, not a hand-kept list.
 */
export function taggableTypes(types: readonly string[]): Set<string> {
  const script = [
    'import json, sys',
    'from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m',
    'out = []',
    'for t in json.loads(sys.argv[1]):',
    '    try:',
    "        if 'Tags' in m.get_resource_schema('us-east-1', t).schema.get('properties', {}): out.append(t)",
    '    except Exception:',
    '        pass',
    'print(json.dumps(out))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, JSON.stringify(types)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cfn-lint schemas unavailable (pip install cfn-lint): ${result.stderr}`);
  return new Set(JSON.parse(result.stdout) as string[]);
}
