/**
 * `onEvent` handler of the Macie classification job custom resource (CDK Provider framework).
 * CloudFormation has no resource for classification jobs, and Macie cannot change a job once created, so:
 *
 * - Create: CreateClassificationJob (SCHEDULED, managed identifiers RECOMMENDED); the physical ID is the
 *   job ID. The idempotency token is derived from the request, so a retried invocation creates no
 *   second job.
 * - Update: the same spec keeps the job (nothing is called). A different spec creates a new job and
 *   returns its ID; CloudFormation then sends Delete for the old ID in its clean-up phase, which cancels
 *   the old job. A failed update therefore leaves the old job running.
 * - Delete: cancels the job (UpdateClassificationJob CANCELLED), unless it is already cancelled or
 *   complete, or does not exist (a physical ID that is no job ID comes from a create that failed).
 *   Cancelling is final in Macie; the job's findings stay in Macie.
 *
 * Bundled with esbuild for Lambda: imports only the Macie client and the pure spec functions.
 */
import { createHash } from 'node:crypto';
import {
  CreateClassificationJobCommand,
  DescribeClassificationJobCommand,
  Macie2Client,
  ResourceNotFoundException,
  UpdateClassificationJobCommand,
} from '@aws-sdk/client-macie2';
import { canonicalSpec, createJobRequest, jobSpecProblems, sameJob, type ClassificationJobSpec } from './spec';

/** Properties of the custom resource, as CloudFormation passes them (strings only). */
export interface ClassificationJobResourceProperties {
  readonly ServiceToken?: string;
  /** JSON of a ClassificationJobSpec (a string, so CloudFormation coerces none of its values). */
  readonly Spec: string;
}

/** The subset of a CloudFormation custom resource event the Provider framework passes to onEvent. */
export interface ClassificationJobEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId?: string;
  readonly StackId?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: ClassificationJobResourceProperties;
  readonly OldResourceProperties?: ClassificationJobResourceProperties;
}

export interface ClassificationJobResponse {
  /** The Macie job ID. */
  readonly PhysicalResourceId: string;
  /** Only ever the ID, so an unchanged update (which calls nothing) answers the same attributes. */
  readonly Data?: { readonly JobId: string };
}

export interface HandlerDependencies {
  /** @default new Macie2Client({}) (region and credentials from the Lambda environment) */
  readonly macie?: Macie2Client;
  /** One line per action taken. @default console.log */
  readonly log?: (line: string) => void;
}

/** Macie job IDs are 32 lowercase hex characters; anything else was never a job. */
const JOB_ID = /^[0-9a-f]{32}$/;
/** Statuses after which a job never runs again. */
const FINISHED = new Set(['CANCELLED', 'COMPLETE']);

/** Thrown for a spec the handler refuses; CloudFormation shows the message as the failure reason. */
export class ClassificationJobSpecError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid Macie classification job: ${problems.join('; ')}`);
    this.name = 'ClassificationJobSpecError';
  }
}

export function parseSpec(json: string | undefined): ClassificationJobSpec {
  let spec: unknown;
  try {
    spec = JSON.parse(json ?? '');
  } catch {
    throw new ClassificationJobSpecError([`Spec: got ${JSON.stringify(json)}; expected the JSON of a job spec`]);
  }
  const problems = jobSpecProblems(spec);
  if (problems.length > 0) throw new ClassificationJobSpecError(problems);
  return spec as ClassificationJobSpec;
}

/** The idempotency token of a create: stable across retries of one CloudFormation request. */
export function clientToken(event: ClassificationJobEvent): string {
  return createHash('sha256')
    .update([event.StackId, event.LogicalResourceId, event.RequestId, event.ResourceProperties.Spec].join('\n'))
    .digest('hex')
    .slice(0, 64);
}

/**
 * The job's name in Macie: the spec's name and a digest of the whole spec, so the job that replaces
 * another (a changed spec) never carries the name of the one it replaces, which runs until CloudFormation
 * cancels it.
 */
export function jobName(spec: ClassificationJobSpec): string {
  return `${spec.name}-${createHash('sha256').update(canonicalSpec(spec)).digest('hex').slice(0, 8)}`;
}

export function createHandler(dependencies: HandlerDependencies = {}) {
  const macie = dependencies.macie ?? new Macie2Client({});
  const log = dependencies.log ?? ((line: string) => console.log(line));

  async function create(event: ClassificationJobEvent, spec: ClassificationJobSpec): Promise<ClassificationJobResponse> {
    const created = await macie.send(new CreateClassificationJobCommand({ ...createJobRequest(spec), name: jobName(spec), clientToken: clientToken(event) }));
    if (!created.jobId) throw new Error('Macie answered CreateClassificationJob without a job ID');
    log(`created classification job ${created.jobId} (${jobName(spec)}) over ${spec.buckets.length} buckets, ${spec.schedule}`);
    return { PhysicalResourceId: created.jobId, Data: { JobId: created.jobId } };
  }

  async function cancel(jobId: string | undefined): Promise<void> {
    if (!jobId || !JOB_ID.test(jobId)) {
      log(`no classification job to cancel (physical ID ${JSON.stringify(jobId)} is not a job ID)`);
      return;
    }
    try {
      const job = await macie.send(new DescribeClassificationJobCommand({ jobId }));
      if (job.jobStatus && FINISHED.has(job.jobStatus)) {
        log(`classification job ${jobId} is already ${job.jobStatus}`);
        return;
      }
      await macie.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'CANCELLED' }));
      log(`cancelled classification job ${jobId}`);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        log(`classification job ${jobId} no longer exists`);
        return;
      }
      throw error;
    }
  }

  return async function handler(event: ClassificationJobEvent): Promise<ClassificationJobResponse> {
    switch (event.RequestType) {
      case 'Create':
        return create(event, parseSpec(event.ResourceProperties.Spec));
      case 'Update': {
        const spec = parseSpec(event.ResourceProperties.Spec);
        const previous = event.PhysicalResourceId;
        let unchanged = false;
        try {
          unchanged = previous !== undefined && JOB_ID.test(previous) && sameJob(parseSpec(event.OldResourceProperties?.Spec), spec);
        } catch (error) {
          // An old spec this handler cannot read (an earlier version's) is replaced by a new job.
          if (!(error instanceof ClassificationJobSpecError)) throw error;
        }
        if (unchanged && previous) {
          log(`classification job ${previous} unchanged`);
          return { PhysicalResourceId: previous, Data: { JobId: previous } };
        }
        return create(event, spec);
      }
      case 'Delete':
        await cancel(event.PhysicalResourceId);
        return { PhysicalResourceId: event.PhysicalResourceId ?? '' };
      default:
        throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}`);
    }
  };
}

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** Lambda entry point. */
export async function handler(event: ClassificationJobEvent): Promise<ClassificationJobResponse> {
  defaultHandler ??= createHandler();
  return defaultHandler(event);
}
