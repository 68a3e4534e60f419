/** One condition of an advanced event selector (the subset of CloudTrail's operators used here). */
export interface TrailFieldSelector {
  readonly field: string;
  readonly equalTo?: string[];
  readonly notEquals?: string[];
  readonly startsWith?: string[];
}

/** An advanced event selector, assignable to `CfnTrail.AdvancedEventSelectorProperty`. */
export interface TrailEventSelector {
  readonly name: string;
  readonly fieldSelectors: TrailFieldSelector[];
}

/**
 * Management event sources left out of the lake access trail. CloudTrail lets a management-event
 * selector exclude only these two. KMS: every read of an SSE-KMS object makes a kms:Decrypt event,
 * doubling the S3 data events it accompanies; RDS Data API: statement-level events of databases the lake
 * does not use.
 */
export const EXCLUDED_MANAGEMENT_SOURCES = ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] as const;

export interface AccessTrailSelectorOptions {
  /** ARNs of the buckets whose objects are recorded (tokens allowed). */
  readonly bucketArns: readonly string[];
  /** Record reads as well as writes. */
  readonly includeReads: boolean;
  /** Record management events (where Glue Data Catalog and Lake Formation calls are). */
  readonly managementEvents: boolean;
}

/**
 * The trail's advanced event selectors:
 *
 * 1. S3 data events on every object of the given buckets (`resources.ARN` starts with `<bucket ARN>/`):
 *    GetObject, PutObject, DeleteObject, CopyObject, multipart uploads, object tagging and ACL calls.
 * 2. Management events, except KMS and the RDS Data API. Glue Data Catalog calls (GetTable,
 *    GetPartitions, CreateTable, UpdateTable, DeleteTable…) and Lake Formation's GetDataAccess are
 *    management events, not data events; a management selector cannot be narrowed to one service (its
 *    `eventSource` accepts only NotEquals), so this records every other service's management calls in
 *    this region as well.
 *
 * With `includeReads` false both selectors add `readOnly = false` (writes only).
 */
export function accessTrailSelectors(options: AccessTrailSelectorOptions): TrailEventSelector[] {
  const writesOnly: TrailFieldSelector[] = options.includeReads ? [] : [{ field: 'readOnly', equalTo: ['false'] }];
  const selectors: TrailEventSelector[] = [
    {
      name: options.includeReads ? 'Lake bucket objects: reads and writes' : 'Lake bucket objects: writes',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', startsWith: options.bucketArns.map((arn) => `${arn}/`) },
        ...writesOnly,
      ],
    },
  ];
  if (options.managementEvents) {
    selectors.push({
      name: options.includeReads ? 'Management events (Glue Data Catalog, Lake Formation) except KMS and RDS Data API' : 'Management writes (Glue Data Catalog, Lake Formation) except KMS and RDS Data API',
      fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }, { field: 'eventSource', notEquals: [...EXCLUDED_MANAGEMENT_SOURCES] }, ...writesOnly],
    });
  }
  return selectors;
}
