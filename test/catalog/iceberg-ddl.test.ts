import { describe, expect, it } from 'vitest';
import {
  addColumnsDdl,
  createTableDdl,
  icebergTableSpec,
  planSchemaChange,
  quoteIdentifier,
  quoteString,
  schemaChangeStatements,
  validateIcebergTableSpec,
  type IcebergTableSpec,
} from '../../constructs/catalog/iceberg/ddl';
import { contractParameters, type DatasetDefinition } from '../../constructs/datasets';
import { analyticsDatasets, dailyActiveUsers, retentionCohorts } from '../../config/datasets/analytics';
import { events } from '../../config/datasets/events';

const DATABASE = 'lakehouse_dev_analytics';
const BUCKET = 's3://lakehouse-dev-analytics-bucket';
const specOf = (dataset: DatasetDefinition, location = `${BUCKET}/${dataset.name}/`) => icebergTableSpec(dataset, { database: DATABASE, location });

/** A dataset derived from daily_active_users with some fields replaced. */
const variant = (changes: Partial<DatasetDefinition>): DatasetDefinition => ({ ...dailyActiveUsers, ...changes });

describe('Iceberg table spec of the analytics datasets', () => {
  it('daily_active_users: exact CREATE TABLE for Athena engine 3', () => {
    expect(createTableDdl(specOf(dailyActiveUsers))).toBe(
      [
        'CREATE TABLE IF NOT EXISTS `lakehouse_dev_analytics`.`daily_active_users` (',
        "  `activity_date` date COMMENT 'Day of activity, UTC [internal]',",
        "  `active_users` bigint COMMENT 'Distinct active users that day [internal]'",
        ')',
        'PARTITIONED BY (month(`activity_date`))',
        "LOCATION 's3://lakehouse-dev-analytics-bucket/daily_active_users/'",
        'TBLPROPERTIES (',
        "  'table_type'='ICEBERG',",
        "  'format'='parquet',",
        "  'write_compression'='zstd',",
        "  'vacuum_max_snapshot_age_seconds'='432000',",
        "  'vacuum_min_snapshots_to_keep'='1'",
        ')',
      ].join('\n'),
    );
  });

  it('retention_cohorts: exact CREATE TABLE, columns in declaration order', () => {
    expect(createTableDdl(specOf(retentionCohorts))).toBe(
      [
        'CREATE TABLE IF NOT EXISTS `lakehouse_dev_analytics`.`retention_cohorts` (',
        "  `cohort_date` date COMMENT 'Day the cohort first appeared, UTC [internal]',",
        "  `day_number` int COMMENT 'Days since the cohort date [internal]',",
        "  `cohort_size` bigint COMMENT 'Users in the cohort [internal]',",
        "  `retained_users` bigint COMMENT 'Cohort users active on day_number [internal]',",
        "  `retention_rate` double COMMENT 'retained_users / cohort_size [internal]'",
        ')',
        'PARTITIONED BY (month(`cohort_date`))',
        "LOCATION 's3://lakehouse-dev-analytics-bucket/retention_cohorts/'",
        'TBLPROPERTIES (',
        "  'table_type'='ICEBERG',",
        "  'format'='parquet',",
        "  'write_compression'='zstd',",
        "  'vacuum_max_snapshot_age_seconds'='432000',",
        "  'vacuum_min_snapshots_to_keep'='1'",
        ')',
      ].join('\n'),
    );
  });

  it.each(analyticsDatasets.map((dataset) => [dataset.name, dataset] as const))('%s: spec follows the declaration', (_name, dataset) => {
    const spec = specOf(dataset);
    const eventColumn = dataset.partitioning.time.source.kind === 'event-time' ? dataset.partitioning.time.source.column : '';
    expect(spec).toEqual({
      database: DATABASE,
      table: dataset.name,
      location: `${BUCKET}/${dataset.name}/`,
      columns: dataset.columns.map((column) => ({ name: column.name, type: column.type, comment: `${column.description} [${column.classification}]` })),
      partitioning: [`month(${eventColumn})`],
      properties: {
        table_type: 'ICEBERG',
        format: 'parquet',
        write_compression: 'zstd',
        vacuum_max_snapshot_age_seconds: '432000',
        vacuum_min_snapshots_to_keep: '1',
      },
    });
    // The spec travels as a JSON string through CloudFormation: it must survive the round trip.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    const ddl = createTableDdl(spec);
    expect(ddl).toMatch(/^CREATE TABLE IF NOT EXISTS `lakehouse_dev_analytics`\./);
    expect(ddl).not.toMatch(/EXTERNAL/);
    expect(ddl).toContain(`PARTITIONED BY (month(\`${eventColumn}\`))`);
    for (const column of dataset.columns) expect(ddl).toContain(`  \`${column.name}\` ${column.type} COMMENT '`);
  });

  it('leaves the contract parameters out: Athena accepts only its predefined Iceberg table properties', () => {
    const spec = specOf(dailyActiveUsers);
    expect(Object.keys(contractParameters(dailyActiveUsers))).toContain('owner');
    for (const key of Object.keys(contractParameters(dailyActiveUsers))) expect(spec.properties).not.toHaveProperty(key);
    const custom: IcebergTableSpec = { ...spec, properties: { ...spec.properties, owner: 'product-analytics' } };
    expect(() => createTableDdl(custom)).toThrow('table property "owner" is not one Athena accepts for Iceberg tables');
  });

  it("the contract's snapshot retention becomes the vacuum properties, so a manual VACUUM agrees with the optimizer", () => {
    const kept = variant({ iceberg: { snapshotRetentionDays: 14, minSnapshotsToKeep: 3 } });
    expect(specOf(kept).properties).toMatchObject({ vacuum_max_snapshot_age_seconds: String(14 * 86_400), vacuum_min_snapshots_to_keep: '3' });
    // An existing table picks the change up as SET TBLPROPERTIES on the next deploy, nothing else.
    expect(schemaChangeStatements(specOf(kept), planSchemaChange(specOf(dailyActiveUsers), specOf(kept)))).toEqual([
      "ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` SET TBLPROPERTIES ('vacuum_max_snapshot_age_seconds'='1209600', 'vacuum_min_snapshots_to_keep'='3')",
    ]);
  });

  it('day and hour granularity become day() and hour() transforms', () => {
    const day = variant({ partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'activity_date' } } } });
    expect(specOf(day).partitioning).toEqual(['day(activity_date)']);
    const hourly = variant({
      columns: [{ name: 'window_start', type: 'timestamp', description: 'Start of the hour', classification: 'internal' }, ...dailyActiveUsers.columns.slice(1)],
      partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'window_start' } } },
    });
    expect(specOf(hourly).partitioning).toEqual(['hour(window_start)']);
    expect(createTableDdl(specOf(hourly))).toContain('PARTITIONED BY (hour(`window_start`))');
  });
});

describe('refusals when building a spec', () => {
  it.each([
    ['s3://lakehouse-dev-analytics-bucket'],
    ['s3://lakehouse-dev-analytics-bucket/'],
    ['s3://lakehouse-dev-analytics-bucket//'],
  ])('refuses the bucket root %s', (location) => {
    expect(() => specOf(dailyActiveUsers, location)).toThrow(
      `Iceberg table lakehouse_dev_analytics.daily_active_users: location "${location}" is a bucket root; an Iceberg table needs its own folder (s3://lakehouse-dev-analytics-bucket/<folder>/)`,
    );
  });

  it('refuses other schemes, empty segments and quotes in the location; adds the trailing slash', () => {
    expect(() => specOf(dailyActiveUsers, 'https://bucket/daily/')).toThrow('is not an S3 URI');
    expect(() => specOf(dailyActiveUsers, 's3://bucket/a//b/')).toThrow('has an empty path segment');
    expect(() => specOf(dailyActiveUsers, "s3://bucket/it's/")).toThrow('contains a quote');
    expect(specOf(dailyActiveUsers, 's3://bucket/analytics/daily_active_users').location).toBe('s3://bucket/analytics/daily_active_users/');
  });

  it('accepts an unresolved CDK token as the bucket (it is a folder under it that matters)', () => {
    const spec = specOf(dailyActiveUsers, 's3://${Token[TOKEN.123]}/analytics/daily_active_users/');
    expect(spec.location).toBe('s3://${Token[TOKEN.123]}/analytics/daily_active_users/');
    expect(() => specOf(dailyActiveUsers, 's3://${Token[TOKEN.123]}/')).toThrow('is a bucket root');
  });

  it('refuses a dataset that is not Iceberg', () => {
    expect(() => specOf(events)).toThrow('dataset "events" has format "parquet"; only Iceberg datasets are created through Athena DDL');
  });

  it('refuses types Athena does not support in Iceberg tables, also nested', () => {
    const smallint = variant({ columns: [...dailyActiveUsers.columns, { name: 'rank', type: 'smallint', description: 'Rank', classification: 'internal' }] });
    expect(() => specOf(smallint)).toThrow('column "rank" uses smallint, which Athena does not support for Iceberg tables');
    const nested = variant({
      columns: [...dailyActiveUsers.columns, { name: 'detail', type: 'struct<code:varchar(10)>', description: 'Detail', classification: 'internal' }],
    });
    expect(() => specOf(nested)).toThrow('column "detail" uses varchar(10)');
  });

  it('refuses a partition transform the column type cannot take', () => {
    const hourOnDate = variant({ partitioning: { time: { granularity: 'hour', source: { kind: 'event-time', column: 'activity_date' } } } });
    expect(() => specOf(hourOnDate)).toThrow('partition transform hour(activity_date) needs a timestamp column, but "activity_date" is date');
    const onString = variant({
      columns: [{ name: 'activity_day', type: 'string', description: 'Day', classification: 'internal' }, ...dailyActiveUsers.columns.slice(1)],
      partitioning: { time: { granularity: 'month', source: { kind: 'event-time', column: 'activity_day' } } },
    });
    expect(() => specOf(onString)).toThrow('month(activity_day) needs a date or timestamp column, but "activity_day" is string');
  });

  it('refuses names Athena cannot hold and a database that would need quoting inside backticks', () => {
    expect(() => icebergTableSpec(dailyActiveUsers, { database: 'Lakehouse-Dev', location: `${BUCKET}/x/` })).toThrow(
      'database name "Lakehouse-Dev" must be lowercase letters, digits and underscores',
    );
    expect(() => icebergTableSpec(dailyActiveUsers, { database: 'a`b', location: `${BUCKET}/x/` })).toThrow('database name "a`b"');
  });
});

describe('quoting and escaping', () => {
  it('escapes quotes, backslashes and line breaks in comments the Hive way', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('C:\\path')).toBe("'C:\\\\path'");
    expect(quoteString('a\nb\tc')).toBe("'a\\nb\\tc'");
    const tricky = variant({
      columns: [{ ...dailyActiveUsers.columns[0], description: "User's day \\ 'quoted'\nsecond line" }, ...dailyActiveUsers.columns.slice(1)],
    });
    expect(createTableDdl(specOf(tricky))).toContain("  `activity_date` date COMMENT 'User\\'s day \\\\ \\'quoted\\'\\nsecond line [internal]',\n");
  });

  it('quotes identifiers with backticks, doubling backticks inside', () => {
    expect(quoteIdentifier('date')).toBe('`date`');
    expect(quoteIdentifier('a`b')).toBe('`a``b`');
  });

  it('every comment literal in the generated DDL is closed where it should be', () => {
    const tricky = variant({
      columns: [{ ...dailyActiveUsers.columns[0], description: "' ) LOCATION 's3://evil/' --" }, ...dailyActiveUsers.columns.slice(1)],
    });
    const ddl = createTableDdl(specOf(tricky));
    // Outside the escaped literals the statement still has exactly one LOCATION clause.
    const outsideLiterals = ddl.replace(/'(?:[^'\\]|\\.)*'/g, "''");
    expect(outsideLiterals.match(/LOCATION/g)).toHaveLength(1);
  });
});

describe('planSchemaChange', () => {
  const base = specOf(dailyActiveUsers);
  const withColumns = (columns: IcebergTableSpec['columns']): IcebergTableSpec => ({ ...base, columns });
  const newUsers = { name: 'new_users', type: 'bigint', comment: 'First-time users that day [internal]' };

  it('an added column becomes ALTER TABLE … ADD COLUMNS with only that column, then its comment', () => {
    const next = withColumns([...base.columns, newUsers]);
    const plan = planSchemaChange(base, next);
    expect(plan).toEqual({ addColumns: [newUsers], changeComments: [], setProperties: {} });
    expect(addColumnsDdl(next, plan.addColumns)).toBe('ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` ADD COLUMNS (`new_users` bigint)');
    expect(schemaChangeStatements(next, plan)).toEqual([
      'ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` ADD COLUMNS (`new_users` bigint)',
      "ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` CHANGE COLUMN `new_users` `new_users` bigint COMMENT 'First-time users that day [internal]'",
    ]);
  });

  it('no change, no statements', () => {
    const plan = planSchemaChange(base, specOf(dailyActiveUsers));
    expect(plan).toEqual({ addColumns: [], changeComments: [], setProperties: {} });
    expect(schemaChangeStatements(base, plan)).toEqual([]);
  });

  it('a changed description updates only the comment', () => {
    const next = withColumns([base.columns[0], { ...base.columns[1], comment: 'Distinct users with an event that day [internal]' }]);
    expect(schemaChangeStatements(next, planSchemaChange(base, next))).toEqual([
      "ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` CHANGE COLUMN `active_users` `active_users` bigint COMMENT 'Distinct users with an event that day [internal]'",
    ]);
  });

  it('a changed allowed property becomes SET TBLPROPERTIES; a removed one is refused', () => {
    const next = { ...base, properties: { ...base.properties, write_compression: 'snappy' } };
    expect(schemaChangeStatements(next, planSchemaChange(base, next))).toEqual([
      "ALTER TABLE `lakehouse_dev_analytics`.`daily_active_users` SET TBLPROPERTIES ('write_compression'='snappy')",
    ]);
    const removed = { ...base, properties: { table_type: 'ICEBERG', format: 'parquet' } };
    expect(() => planSchemaChange(base, removed)).toThrow(
      'Iceberg table lakehouse_dev_analytics.daily_active_users: table property "write_compression" was removed',
    );
  });

  it('refuses a removed column, naming the table and the column', () => {
    expect(() => planSchemaChange(base, withColumns([base.columns[0]]))).toThrow(
      'Iceberg table lakehouse_dev_analytics.daily_active_users: column "active_users" was removed from the declaration; deploys never drop columns',
    );
  });

  it('refuses a type change, naming both types', () => {
    expect(() => planSchemaChange(base, withColumns([base.columns[0], { ...base.columns[1], type: 'int' }]))).toThrow(
      'Iceberg table lakehouse_dev_analytics.daily_active_users: column "active_users" changed type from bigint to int',
    );
  });

  it('refuses reordered columns and a new column placed before existing ones', () => {
    expect(() => planSchemaChange(base, withColumns([base.columns[1], base.columns[0]]))).toThrow(
      'column "activity_date" moved from position 1 to 2; ADD COLUMNS appends',
    );
    expect(() => planSchemaChange(base, withColumns([base.columns[0], newUsers, base.columns[1]]))).toThrow(
      'column "active_users" moved from position 2 to 3',
    );
  });

  it('refuses changed partitioning', () => {
    const daily = specOf(variant({ partitioning: { time: { granularity: 'day', source: { kind: 'event-time', column: 'activity_date' } } } }));
    expect(() => planSchemaChange(base, daily)).toThrow(
      'Iceberg table lakehouse_dev_analytics.daily_active_users: partitioning cannot change from (month(activity_date)) to (day(activity_date))',
    );
  });

  it('refuses a changed location', () => {
    expect(() => planSchemaChange(base, { ...base, location: `${BUCKET}/elsewhere/` })).toThrow(
      `Iceberg table lakehouse_dev_analytics.daily_active_users: location cannot change from "${BUCKET}/daily_active_users/" to "${BUCKET}/elsewhere/"`,
    );
  });

  it('refuses another database or table name (it would orphan the table)', () => {
    expect(() => planSchemaChange(base, { ...base, table: 'dau' })).toThrow(
      'Iceberg table lakehouse_dev_analytics.daily_active_users: cannot become lakehouse_dev_analytics.dau; renaming or moving the table would create a new one and orphan',
    );
  });

  it('refuses a new spec that is itself invalid', () => {
    const bad = withColumns([...base.columns, { name: 'rank', type: 'tinyint', comment: '' }]);
    expect(() => planSchemaChange(base, bad)).toThrow('column "rank" uses tinyint');
    expect(() => validateIcebergTableSpec({ ...base, location: `${BUCKET}/daily_active_users` })).toThrow('must end with "/"');
  });
});
