/**
 * First-deploy pin: Firehose rejects server-side encryption on a delivery stream whose
 * source is a Kinesis stream, so it must stay off; the stream and the bucket carry the encryption.
 */
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { resourcesOfType, synthCached } from '../support/synth';

describe.each(ENVIRONMENT_NAMES)('%s', (environment) => {
  it('no Kinesis-sourced delivery stream sets DeliveryStreamEncryptionConfiguration', () => {
    const streams = Object.values(synthCached(environment).templates).flatMap((template) =>
      resourcesOfType(template, 'AWS::KinesisFirehose::DeliveryStream').filter((stream) => stream.Properties?.DeliveryStreamType === 'KinesisStreamAsSource'),
    );
    expect(streams.length).toBeGreaterThan(0);
    for (const stream of streams) {
      const encryption = Object.keys(stream.Properties ?? {}).filter((property) => property.startsWith('DeliveryStreamEncryptionConfiguration'));
      expect(encryption, stream.logicalId).toEqual([]);
    }
  });
});
