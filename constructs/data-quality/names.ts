/**
 * Names shared by the data-quality function and whatever deploys and watches it (the construct, alarms,
 * dashboards): CloudWatch metric and dimension names, and the function's environment variables. Pure
 * constants, so the construct can import them without pulling the AWS SDK (handler.ts) into the library.
 */

/** Metric names, in the namespace the function is given (`METRIC_NAMESPACE`). */
export const METRIC_NAMES = {
  /** Per dataset and check: the measured value (a share, a count or seconds). Absent when there is none. */
  checkValue: 'CheckValue',
  /** Per dataset and check: 1 failed, 0 passed. Absent for a check that was not evaluated (empty window). */
  checkFailed: 'CheckFailed',
  /** Per dataset: rows in the window. */
  rowCount: 'RowCount',
  /** Per dataset: seconds since the newest value of the freshness column. Absent when there is none. */
  freshnessSeconds: 'FreshnessSeconds',
  /** Per dataset: 1 when the dataset could not be checked (query failed, cancelled, timed out; bad contract or result), else 0. */
  queryFailed: 'QueryFailed',
  /** Per run (dimension Environment only): 1 when the run's lineage event could not be recorded, else 0. */
  lineageFailed: 'LineageRecordFailed',
} as const;

/** Dimension names: check metrics carry all three, dataset metrics Environment and Dataset. */
export const DIMENSION_NAMES = { environment: 'Environment', dataset: 'Dataset', check: 'Check' } as const;

/** The function's environment variables. */
export const ENVIRONMENT_VARIABLES = {
  /** Athena workgroup the queries run in (its enforced settings give the result location and encryption). */
  workGroup: 'WORKGROUP',
  /**
   * JSON array of the Glue tables to check, each `{"database": "...", "table": "..."}`; their parameters
   * carry the contract (`lakehouse.contract`).
   */
  tables: 'TABLES',
  /** Glue database of the `data_quality_results` history table. */
  historyDatabase: 'HISTORY_DATABASE',
  /** CloudWatch namespace, e.g. `Lakehouse/DataQuality`. */
  metricNamespace: 'METRIC_NAMESPACE',
  /** Value of the Environment dimension. */
  environment: 'ENVIRONMENT',
  /** Optional: per-query timeout in milliseconds (default 300000). */
  queryTimeoutMs: 'QUERY_TIMEOUT_MS',
  /** Optional: datasets checked at once (default 3). */
  queryConcurrency: 'QUERY_CONCURRENCY',
  /** Optional: Glue database of the `lineage` table; each run then records an OpenLineage event there. */
  lineageDatabase: 'LINEAGE_DATABASE',
  /** Optional: OpenLineage job namespace of the runs (default: the ENVIRONMENT value). */
  lineageJobNamespace: 'LINEAGE_JOB_NAMESPACE',
  /**
   * Optional: path of a JSON file `{"<database>.<table>": <contract>}` for tables that cannot carry their
   * contract as a Glue parameter (Iceberg: Athena accepts no custom table properties). The construct ships
   * it as a Lambda layer (`/opt/…`).
   */
  contractsFile: 'CONTRACTS_FILE',
} as const;
