/**
 * The privacy stack as the app builds it (one cached synth per environment): its place in the stack graph,
 * the outputs the CLIs read, the erasure horizon output, and the privacy alarms in operations.
 */
import { describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../config/load';
import { DATASETS } from '../../config/datasets';
import { PRIVACY_OUTPUT_KEYS, privacyStackName } from '../../constructs/privacy/stack-outputs';
import { environmentHorizon } from '../../lib/privacy-horizon';
import { resourcesOfType, synthCached } from '../support/synth';

const PRIVACY_ALARMS = ['ErasureDeadlineNear', 'ErasureOverdue', 'ErasureVerificationFailed', 'ErasureWorkflowFailed', 'PhysicalRemovalOverdue'];

describe.each(['dev', 'prod'] as const)('%s privacy stack', (environment) => {
  const { templates, assembly } = synthCached(environment);
  const name = privacyStackName('lakehouse', environment);
  const privacy = templates[name];

  it('reads storage, network, catalog and vector, and only operations reads it', () => {
    const dependencies = assembly.getStackByName(name).dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets')).sort();
    expect(dependencies).toEqual(['catalog', 'network', 'storage', 'vector'].map((layer) => `lakehouse-${environment}-${layer}`));
    const readers = assembly.stacks.filter((stack) => stack.dependencies.some((dependency) => dependency.id === name)).map((stack) => stack.stackName);
    expect(readers).toEqual([`lakehouse-${environment}-operations`]);
  });

  it('outputs the request table, the state machine, the ledger bucket and the erasure horizon under the keys the CLIs read', () => {
    const outputs = privacy.Outputs ?? {};
    for (const key of Object.values(PRIVACY_OUTPUT_KEYS)) expect(Object.keys(outputs)).toContain(key);
    const horizon = JSON.parse(String((outputs[PRIVACY_OUTPUT_KEYS.erasureHorizon] as { Value: string }).Value));
    expect(horizon.days).toBe(environmentHorizon(loadEnvironmentConfig(environment), DATASETS).days);
  });

  it('plans every shipped dataset with subject keys, each by its kind, and no other', () => {
    const [machine] = resourcesOfType(privacy, 'AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(machine.Properties!.DefinitionString);
    const withKeys = DATASETS.filter((dataset) => dataset.dataSubject !== undefined && 'keys' in dataset.dataSubject);
    expect(withKeys.length).toBeGreaterThanOrEqual(3);
    for (const dataset of withKeys) {
      const id = dataset.name.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
      expect(definition).toContain(`\\"Find${id}\\"`);
      expect(definition).toContain(dataset.format === 'iceberg' ? `\\"Vacuum${id}\\"` : `\\"Rewrite${id}\\"`);
    }
    expect(definition).not.toContain('FindDailyActiveUsers');
  });

  it('alarms in operations on deadlines, verification, failed executions and physical removal, each linking its runbook entry', () => {
    const alarms = resourcesOfType(templates[`lakehouse-${environment}-operations`], 'AWS::CloudWatch::Alarm').filter((alarm) =>
      PRIVACY_ALARMS.some((kind) => alarm.logicalId.startsWith(`Monitoring${kind}`)),
    );
    expect(alarms).toHaveLength(5);
    const byKind = (kind: string) => alarms.find((alarm) => alarm.logicalId.startsWith(`Monitoring${kind}`) && !alarm.logicalId.startsWith(`Monitoring${kind}Requests`))!.Properties!;
    for (const kind of PRIVACY_ALARMS) expect(byKind(kind).AlarmDescription).toContain(`docs/runbooks/alarms.md#${kind.toLowerCase()}`);
    expect(byKind('ErasureDeadlineNear')).toMatchObject({ MetricName: 'RequestsNearDeadline', Namespace: 'Lakehouse/Privacy', Threshold: 0, TreatMissingData: 'breaching' });
    expect(byKind('ErasureOverdue')).toMatchObject({ MetricName: 'OverdueRequests', Threshold: 0, TreatMissingData: 'breaching' });
    expect(byKind('ErasureVerificationFailed')).toMatchObject({ MetricName: 'VerificationFailures', TreatMissingData: 'notBreaching' });
    expect(byKind('PhysicalRemovalOverdue')).toMatchObject({ MetricName: 'PhysicalRemovalOverdue', Period: 86_400, TreatMissingData: 'breaching' });
    expect(JSON.stringify(byKind('ErasureWorkflowFailed').Metrics)).toContain('ExecutionsFailed');
  });
});

