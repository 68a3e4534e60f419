import type { DatasetDefinition } from '../../constructs/datasets';
import { collectorQuarantineDataset } from '../../constructs/collector/quarantine-record';

/**
 * Calls the HTTP collector refused or could not deliver, with the reasons and the payload as received (IP
 * and user agent under the privacy settings), so a sender can fix its data and nothing is dropped
 * silently. The contract lives next to the handler that writes the records
 * (constructs/collector/quarantine-record.ts), so the two cannot disagree; this file deploys it.
 */
export const collectorQuarantine: DatasetDefinition = {
  ...collectorQuarantineDataset,
  // The collector stack reads the base ingestion stack's streams; new since sharding, pinned to keep it there.
  shard: 'base',
};
