import { PRIVACY_ALARM_KINDS } from './privacy-alarm-kinds';
import { RECOVERY_ALARM_KINDS } from './recovery-alarm-kinds';

/**
 * Every kind of alarm the platform raises, with what it means, why its missing-data behaviour is what it
 * is, the first three things to check and how to recover. docs/runbooks/alarms.md is generated from this
 * table (npm run docs:runbooks), and each alarm's description links to its entry.
 */
export interface AlarmKindDescription {
  readonly title: string;
  readonly summary: string;
  readonly missingData: string;
  readonly check: readonly [string, string, string];
  readonly recover: string;
}

export const ALARM_KINDS = {
  Delivery: {
    title: 'Dataset delivery late or failing',
    summary:
      'Firehose is late or failing for this dataset: DeliveryToS3.DataFreshness above the freshness SLO, or DeliveryToS3.Success below 1, for 3 × 5 minutes',
    missingData:
      'Not breaching: Firehose publishes both metrics only while records flow, so silence means nothing is waiting. A stream that stops receiving events is not caught here: it shows on the dashboard (records in) and in the data-quality freshness check (DatasetQuality).',
    check: [
      "Which input fired: the Deliver row of the dashboard graphs DeliveryToS3.DataFreshness against the SLO and DeliveryToS3.Success; the alarm's metric math has both as labelled queries (open it in CloudWatch Metrics).",
      "Freshness: the delivery stream's error log group (DestinationDelivery stream) for S3 access denied, KMS or Glue errors; incoming volume above the buffer (128 MiB) or the active-partition limit (PartitionCountExceeded).",
      'Success below 1: the S3 error code in the same log group, the bucket policy (it refuses uploads that name another key or encryption) and the lake key policy; the error prefix errors/<dataset>/ in the raw bucket.',
    ],
    recover:
      'Fix the permission or schema cause; Firehose retries S3 delivery for up to 24 hours and backs up undeliverable records to the error prefix, from which they can be replayed onto the stream after fixing them.',
  },
  IteratorAge: {
    title: 'Kinesis consumer lag',
    summary: 'Firehose is reading the stream later than the latency target',
    missingData:
      'Breaching: Firehose polls the stream continuously, so the metric exists whenever its consumer is alive; no data means the consumer stopped.',
    check: [
      'The delivery stream status in the Firehose console (ACTIVE?) and its error log group.',
      'Stream throttling (WriteThrottling alarm) and on-demand capacity limits.',
      'Delivery backlog: DataFreshness of the same dataset.',
    ],
    recover: 'Once delivery recovers, the lag drains by itself; if it does not, raise the stream capacity (provisioned shards or on-demand limit).',
  },
  WriteThrottling: {
    title: 'Kinesis write throttling',
    summary: 'Producers are being throttled by the stream',
    missingData: 'Not breaching: no puts means nothing throttled.',
    check: [
      'IncomingRecords and IncomingBytes on the dashboard: a traffic spike?',
      'Partition keys: one hot user_id concentrating writes on one shard.',
      'The stream mode and, for provisioned streams, the shard count.',
    ],
    recover:
      'The producer library retries throttled records with backoff; for sustained load switch to on-demand or add shards (ingestion.streamMode / shardCount).',
  },
  QueryLatency: {
    title: 'Athena p95 query time above target',
    summary: 'The 95th percentile of successful query time exceeds the target',
    missingData: 'Not breaching: no queries means nothing is slow.',
    check: [
      'The slowest recent queries in the workgroup history: do they filter on the partition keys (dt, hour)?',
      'Data scanned per query (ProcessedBytes): full scans of raw data instead of curated tables.',
      'Small-file counts under the table prefix (buffering too small for the traffic).',
    ],
    recover: 'Add partition filters, query curated or analytics tables, or compact small files; the named queries show the pruning pattern.',
  },
  QueryFailures: {
    title: 'Athena queries failing',
    summary: 'Queries in this workgroup failed',
    missingData: 'Not breaching: no queries means no failures.',
    check: [
      'The failure reason in the workgroup query history.',
      'Lake Formation grants of the querying persona (Insufficient Lake Formation permissions).',
      'The scan cutoff (bytesScannedCutoffMb) cancelling large queries.',
    ],
    recover: 'Fix the query or the grant; raise the cutoff only deliberately.',
  },
  DatabaseCpu: {
    title: 'Vector database CPU high',
    summary: 'The database CPU stayed above the threshold',
    missingData: 'Breaching: RDS reports CPU every minute while the instance runs; no data means it is stopped or failing.',
    check: [
      'Performance Insights top SQL: sequential scans instead of the vector index (check ef_search / probes and the ORDER BY form).',
      'Index builds in progress (pg_stat_progress_create_index).',
      'Connection count and application retries.',
    ],
    recover: 'Tune the query or index parameters, or scale the instance class (vectorStore.instanceClass); Multi-AZ failover is automatic if the instance is unhealthy.',
  },
  DatabaseStorage: {
    title: 'Vector database storage low',
    summary: 'Free storage fell below the threshold',
    missingData: 'Missing: keep the last state; a missing datapoint says nothing about storage and CPU already catches a stopped instance.',
    check: [
      'Whether storage autoscaling reached maxAllocatedStorageGiB.',
      'Table and index sizes (pg_total_relation_size) and dead tuples (autovacuum).',
      'Transaction log growth (long transactions, replication slots).',
    ],
    recover: 'Raise vectorStore.maxAllocatedStorageGiB, vacuum, or drop superseded indexes; storage only grows online.',
  },
  DatabaseMemory: {
    title: 'Vector database memory low',
    summary: 'Freeable memory fell below the threshold',
    missingData: 'Missing: keep the last state (see DatabaseStorage).',
    check: [
      'HNSW index size against instance memory (indexes should fit in memory).',
      'maintenance_work_mem during index builds.',
      'Connection count (each connection costs memory).',
    ],
    recover: 'Scale the instance class, or move large collections to IVFFlat or halfvec.',
  },
  DatabaseConnections: {
    title: 'Vector database connections high',
    summary: 'Open connections exceeded the threshold',
    missingData: 'Missing: keep the last state (see DatabaseStorage).',
    check: [
      'Which role and client hold the connections (pg_stat_activity).',
      'Connection pooling in the applications (one pool per process).',
      'Idle-in-transaction sessions.',
    ],
    recover: 'Fix pooling or terminate stuck sessions; raise the threshold only with the instance class.',
  },
  TransactionIdWraparound: {
    title: 'Transaction-ID wraparound risk',
    summary: 'Transaction IDs in use passed the threshold; PostgreSQL stops writes near 2^31',
    missingData: 'Missing: keep the last state (see DatabaseStorage).',
    check: [
      'Autovacuum activity and the oldest datfrozenxid per database.',
      'Long-running or abandoned transactions and prepared transactions.',
      'Tables autovacuum cannot finish (locks).',
    ],
    recover: 'Run VACUUM (FREEZE) on the oldest tables after ending the blocking transactions; act before the count nears 2 billion.',
  },
  BackupJobsFailed: {
    title: 'Backup jobs failed',
    summary: 'AWS Backup jobs into the vault failed',
    missingData: 'Not breaching: AWS Backup publishes job counts only when jobs run.',
    check: [
      'The failed job and its message in the AWS Backup console (Jobs).',
      'The selection role\'s permissions (S3 backup policies, KMS key access).',
      'Bucket versioning (S3 backups need it) and the database state.',
    ],
    recover: 'Fix the cause and start an on-demand backup of the resource; continuous backups resume by themselves.',
  },
  DatasetQuality: {
    title: 'Dataset data quality failing',
    summary:
      "A data-quality check of this dataset measured a value outside its contract threshold (CheckFailed), or the dataset's query failed, was cancelled or timed out (QueryFailed)",
    missingData:
      'Not breaching: the function publishes QueryFailed (0 or 1) on every run and CheckFailed for each check it evaluated; a check over empty partitions is not evaluated (the row-count check reports that), and no data at all means no run (QualityNotRunning).',
    check: [
      "Which input fired: the alarm's description lists its inputs and its metric math has each (QueryFailed, CheckFailed <check>, 0 or 1) as a labelled query (open it in CloudWatch Metrics); or SELECT … FROM data_quality_results WHERE dataset = … ORDER BY checked_at DESC for the measured value and threshold.",
      "QueryFailed: the data-quality function's log group for the Athena error (permissions, Lake Formation grant, scan cutoff, syntax after a contract change); is the lakehouse.contract parameter still on the Glue table?",
      'CheckFailed: the producers of the dataset (a release that stopped sending a field or changed a format) and the error prefix errors/<dataset>/ of the raw bucket.',
    ],
    recover:
      'Fix the producer or the query cause, or, if the contract is wrong, change the rule in config/datasets and deploy; invoke the function once by hand or wait for the next hourly run to clear the alarm.',
  },
  LineageNotRecorded: {
    title: 'Data-quality runs not recorded in lineage',
    summary: 'A data-quality run could not append its OpenLineage event to the lineage table in the last 3 hours (the checks themselves ran)',
    missingData: 'Not breaching: the function publishes LineageRecordFailed only when it records lineage; no data means no failed recording.',
    check: [
      "The data-quality function's log: `lineage NOT recorded in <database>.lineage` lines carry Athena's error (AccessDenied, a Lake Formation grant missing on lineage, a table that does not exist yet, a throttle).",
      'The lineage table in the catalog (Iceberg, analytics zone) and the Lake Formation INSERT grant of the data-quality role on it.',
      'Whether the ELT records lineage at the same time (its execution history shows the `…Record` and `…NotRecorded` states): if it fails too, the cause is the table or the workgroup, not this function.',
    ],
    recover:
      'Fix the cause; the next hourly run records again. Runs that were not recorded stay missing from lineage (their results are in data_quality_results); nothing else needs replaying.',
  },
  QualityNotRunning: {
    title: 'Data-quality checks not running',
    summary: 'No data-quality run succeeded during the last three hours (not invoked, or every run failed)',
    missingData: 'Breaching: the schedule invokes the function every hour, so no invocations means the schedule or the function is broken.',
    check: [
      'The EventBridge schedule rule of the data-quality checks: enabled?',
      "The function's errors and its dead-letter queue.",
      'Reserved concurrency (1) held by a stuck run (timeout 14 minutes).',
    ],
    recover: 'Re-enable the rule or fix the function; the next run measures the current state.',
  },
  EltFailed: {
    title: 'Metrics ELT failed',
    summary: 'A metrics ELT execution failed or timed out; the analytics tables miss that day',
    missingData: 'Not breaching: Step Functions reports failed executions only when executions run.',
    check: [
      'The failed execution in the Step Functions console: which target and statement failed, and the Athena error.',
      'Lake Formation grants of the ELT role (SELECT on events; INSERT, DELETE, ALTER on the targets).',
      'Whether the events partition of that day exists (late delivery).',
    ],
    recover: 'Fix the cause, then re-run the day: npm run elt:backfill -- --env <env> --from <day> --to <day> (each run replaces the day).',
  },
  // Recovery objectives (RPO, RTO): their own file, next to recovery-alarms.ts.
  ...RECOVERY_ALARM_KINDS,
  ...PRIVACY_ALARM_KINDS,
  EmbeddingsQueueAge: {
    title: 'Embeddings queue backing up',
    summary: 'The oldest document event in the embeddings queue has waited longer than the threshold for 3 × 5 minutes',
    missingData:
      'Not breaching: SQS stops publishing the metrics of a queue that has been empty for hours, so silence means nothing is waiting. A consumer that stopped altogether shows here as soon as events arrive.',
    check: [
      "The consumer's log group: `database connection failed`, `record failed; retried` or `embeddings consumer is misconfigured` lines, and its Errors and Throttles on the Embed row of the dashboard.",
      'Bedrock throttling (EmbeddingsThrottled, EmbeddingThrottles on the dashboard): the account quota for the model versus requestsPerSecond × reserved concurrency; a backfill (npm run embeddings:backfill) legitimately fills the queue for a while.',
      "The vector database: CPU, connections and storage alarms, and whether the consumer's security group still reaches the database port.",
    ],
    recover:
      'Fix the cause and let the queue drain by itself: messages stay for 4 days and nothing is lost before then. To drain faster, raise embeddings.reservedConcurrency (within the database connection and Bedrock quotas) and deploy.',
  },
  EmbeddingsDeadLetters: {
    title: 'Embeddings dead-letter queue not empty',
    summary:
      'Document events are in the embeddings dead-letter queue: a record failed every delivery (maxReceiveCount), EventBridge could not deliver an event to the queue, or a direct invocation failed',
    missingData: 'Not breaching: an empty dead-letter queue that sees no traffic stops publishing metrics.',
    check: [
      "Peek at a message (SQS console, Poll for messages): an S3 event (`detail.object.key`) came from the queue; one with EventBridge's error attributes (ERROR_CODE, ERROR_MESSAGE) was never delivered, usually a queue key or queue policy problem.",
      "The consumer's log group for that key: the Bedrock or database error of each attempt (`record failed; retried`).",
      'Whether the document is still wanted: a key deleted since then is removed by its own delete event; nothing needs redriving for it.',
    ],
    recover:
      'Fix the cause, then move the messages back with the SQS console\'s "Start DLQ redrive" (to the source queue): re-delivered events are harmless, the ledger ignores anything older than what it applied. Or re-index the prefix with npm run embeddings:backfill. Messages stay 14 days.',
  },
  EmbeddingsFailures: {
    title: 'Embeddings records failing',
    summary: 'More than the threshold percentage of document events failed (Bedrock or database errors) in 2 of 3 five-minute periods',
    missingData: 'Not breaching: the consumer publishes its counts only when it runs; no events means no failures.',
    check: [
      "The consumer's log group: `record failed; retried` lines name the key and the error (Bedrock ValidationException for a refused chunk, AccessDenied for a model without access, a database error).",
      'Bedrock model access in the account and region (the model must be enabled in the Bedrock console) and the bedrock-runtime interface endpoint.',
      "The vector database's state (failover, storage full) and the IAM authentication of the `<db>_readwrite` role.",
    ],
    recover:
      'Failed records are retried by SQS and end in the dead-letter queue after maxReceiveCount deliveries; fix the cause and redrive them (see EmbeddingsDeadLetters). The previous version of each document stays searchable meanwhile.',
  },
  EmbeddingsThrottled: {
    title: 'Bedrock throttling the embeddings consumer',
    summary: 'Bedrock throttled InvokeModel calls of the embeddings consumer in 3 consecutive five-minute periods',
    missingData: 'Not breaching: no calls means no throttling.',
    check: [
      "EmbeddingThrottles and EmbeddingCalls on the Embed row: a sustained share of throttled calls means the account's on-demand quota for the model is below the load.",
      'requestsPerSecond of the collection × embeddings.reservedConcurrency against the Service Quotas entry for the model (InvokeModel requests per minute, tokens per minute).',
      'Other users of the same model in the account and region (quotas are shared).',
    ],
    recover:
      'Throttled calls are retried with backoff and only fail after maxAttempts; lower requestsPerSecond or reservedConcurrency, or request a quota increase. Records that failed are redelivered by SQS.',
  },
  CollectorServerErrors: {
    title: 'Collector answering 5XX',
    summary: 'More than the threshold share of collector requests answered 5XX for 3 × 5 minutes: senders are retrying and may give up',
    missingData: 'Not breaching: API Gateway publishes counts only while requests arrive; no traffic means nothing failed.',
    check: [
      "The collector function's log group: errors at start (an invalid settings file is reported there in full) or timeouts.",
      'Kinesis: the WriteThrottling alarms of the written datasets and the "records throttled per written stream" widget (the handler answers 5xx only when no event could be accepted).',
      'Reserved concurrency reached (Lambda Throttles metric of the function) or the interface endpoints (kinesis-streams, secretsmanager) unreachable from the VPC.',
    ],
    recover:
      'Fix the cause (raise stream capacity or the function\'s reserved concurrency, restore the endpoints); SDKs retry 5xx answers with backoff, so events queued on devices arrive once the collector recovers.',
  },
  CollectorClientErrors: {
    title: 'Collector answering 4XX',
    summary: 'More than the threshold share of collector requests answered 4XX for 3 × 5 minutes: a sender is misconfigured, refused or throttled',
    missingData: 'Not breaching: no requests means no refusals.',
    check: [
      'The access log group of the API stage: status and path of the refused requests (401 unknown or revoked key, 400 body, 413 size, 429 throttling).',
      'The web ACL\'s sampled requests and metrics (RatePerIp, DeclaredBodyTooLarge, managed rules): a block answers 403.',
      'Recent key rotations: a key past its notAfter or revoked while a release still sends it.',
    ],
    recover:
      'Give the sender a valid key (npm run collector:key) or fix its configuration; for legitimate 429s raise collector.throttling or the WAF rate per IP in the environment config and deploy.',
  },
  CollectorLatency: {
    title: 'Collector p99 latency high',
    summary: 'The 99th percentile of collector request latency at the gateway stayed above the threshold for 3 × 5 minutes',
    missingData: 'Not breaching: no requests means nothing is slow.',
    check: [
      'The function\'s Duration and Init Duration: cold starts after a deploy or a scale-up (VPC functions start slower).',
      'PutRecords latency and throttling on the written streams (retries inside the handler add latency).',
      'Secrets Manager calls: a key cache (collector.keyCacheSeconds) of 0 fetches the key document on every request.',
    ],
    recover: 'Raise stream capacity or memory (more CPU for validation), or the key cache; large batches are slower by nature, compare with docs/performance.md.',
  },
  CollectorRejectedEvents: {
    title: 'Collector rejecting events of a source',
    summary: 'More than the threshold share of a source\'s events were rejected (quarantined) for 3 × 5 minutes',
    missingData: 'Not breaching: the handler publishes AcceptedEvents and RejectedEvents only for requests it served.',
    check: [
      "SELECT reasons, count(*) FROM collector_quarantine WHERE source = '<source>' GROUP BY reasons ORDER BY 2 DESC: which contract rule the events break.",
      'The source\'s latest release: a renamed property, a new event type or a wrong timestamp format.',
      'A contract change deployed before the senders were ready (config/datasets history).',
    ],
    recover:
      'Fix the sender, or change the contract if the data is right; quarantined events keep their payload, so they can be replayed onto the dataset\'s stream after the fix.',
  },
  PipelineFailed: {
    title: 'Daily pipeline failed',
    summary: 'A daily pipeline execution failed or timed out: a gate stopped the day (stale or failing inputs, failing outputs) or a step failed after its retries',
    missingData: 'Not breaching: Step Functions reports failed executions only when executions run.',
    check: [
      'The execution in the Step Functions console: the last state entered names the cause (StaleInputs, InputQualityFailed, OutputQualityFailed, or StepFailed with the error of the step); the notification carries the same.',
      'Gate failures: the data-quality function\'s log for the run (its report lists each failed check with its value) and data_quality_results for the day.',
      'Step failures: for RunElt the nested ELT execution (EltFailed fires too); for the quality steps the function\'s errors and its dead-letter-free synchronous invocations (DataQualityRunError: a query failed or a table could not be read).',
    ],
    recover:
      'Fix the data or the cause, then re-run the day through the pipeline: npm run elt:backfill -- --env <env> --from <day> --to <day> (add --skip-freshness-wait for days whose input is complete); every ELT target replaces its day.',
  },
  PipelineGateFailed: {
    title: 'Daily pipeline gate failed',
    summary: 'A gate of a daily pipeline failed: its inputs were not complete in time (freshness), or the checks of its inputs or outputs failed; with the warn policy the ELT still ran on that data',
    missingData: 'Not breaching: the gate-failure rule matches only when a gate fails.',
    check: [
      'The gate-failure notification: its detail names the pipeline, the day, the gate (freshness, input_quality, output_quality) and the policy.',
      'freshness: the events delivery (Delivery and IteratorAge alarms, the dashboard Deliver row): did events of the next day arrive?',
      'input_quality / output_quality: the failed checks in data_quality_results for that day (SELECT * FROM data_quality_results WHERE check_date = current_date AND NOT passed) and the DatasetQuality alarms of those datasets.',
    ],
    recover:
      'Once the data is fixed (or late data has arrived), re-run the day: npm run elt:backfill -- --env <env> --from <day> --to <day>; with the warn policy, re-run the days the ELT processed on bad inputs.',
  },
} as const satisfies Record<string, AlarmKindDescription>;

export type AlarmKind = keyof typeof ALARM_KINDS;
