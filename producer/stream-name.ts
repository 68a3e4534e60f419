/** Kinesis stream names: letters, digits, `_`, `.`, `-`; 1-128 characters (Firehose allows 64). */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

/**
 * `<project>-<env>-<dataset>`, the name of a dataset's Kinesis stream (docs/architecture.md, "Names"). At most 64
 * characters, so that the Firehose delivery stream of the same name is valid too.
 */
export function datasetStreamName(project: string, environment: string, dataset: string): string {
  const name = `${project}-${environment}-${dataset}`;
  if (!STREAM_NAME.test(name)) {
    throw new Error(`stream name "${name}" is not valid: 1-64 letters, digits, "_", "." or "-" (Kinesis and Firehose)`);
  }
  return name;
}
