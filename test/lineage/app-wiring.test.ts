/** The app wires lineage in every environment: the table, the writers' IAM and environment, the ELT states. */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { ELT_TARGETS } from '../../constructs/elt';
import { resourcesOfType, synthCached, type Template } from '../support/synth';

const updateTableResources = (template: Template, roleFragment: string) =>
  JSON.stringify(
    resourcesOfType(template, 'AWS::IAM::Policy')
      .filter((policy) => JSON.stringify(policy.Properties!.Roles).includes(roleFragment))
      .flatMap((policy) => policy.Properties!.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().includes('glue:UpdateTable'))
      .map((statement) => statement.Resource),
  );

describe.each(ENVIRONMENT_NAMES)('%s lineage', (environment) => {
  const { templates } = synthCached(environment);
  const catalog = templates[`lakehouse-${environment}-catalog`];
  const operations = templates[`lakehouse-${environment}-operations`];
  const analytics = `lakehouse_${environment}_analytics`;

  it('the lineage table is an Iceberg table of the analytics database, created through Athena DDL', () => {
    const tables = resourcesOfType(catalog, 'Custom::IcebergTable').filter((table) => JSON.stringify(table.Properties!.Spec).includes('\\"table\\":\\"lineage\\"'));
    expect(tables).toHaveLength(1);
    expect(JSON.stringify(tables[0].Properties!.Spec)).toContain(`\\"database\\":\\"${analytics}\\"`);
  });

  it('the data-quality function records into it: environment, and Glue UpdateTable on the table', () => {
    const [fn] = resourcesOfType(operations, 'AWS::Lambda::Function').filter((resource) => resource.logicalId.startsWith('DataQuality'));
    expect(fn.Properties!.Environment.Variables).toMatchObject({ LINEAGE_DATABASE: analytics, LINEAGE_JOB_NAMESPACE: `lakehouse-${environment}` });
    expect(updateTableResources(operations, 'DataQualityRole')).toContain(`table/${analytics}/lineage`);
  });

  it('the ELT records after every target, and may update the lineage table', () => {
    const [machine] = resourcesOfType(operations, 'AWS::StepFunctions::StateMachine').filter((resource) => resource.logicalId.startsWith('MetricsElt'));
    const definition = JSON.stringify(machine.Properties!.DefinitionString);
    for (const target of ELT_TARGETS) expect(definition).toContain(`${target}_lineage.Record`);
    expect(updateTableResources(operations, 'MetricsEltRole')).toContain(`table/${analytics}/lineage`);
  });
});
