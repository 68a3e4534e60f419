import { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../config/limits';
import { ALLOWED_REPLACEMENTS } from '../snapshots/allowed-replacements';
import { normalizeTemplate } from '../support/normalize';
import { describeHazard, findStatefulHazards, unallowedHazards } from '../support/replacement-guard';
import { readSnapshot } from '../support/snapshots';
import { synthCached, type Template } from '../support/synth';

/** A one-stack template built by `define`, synthesized without validation plugins. */
function template(define: (stack: Stack) => void): Template {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Guarded');
  define(stack);
  return app.synth().getStackByName('Guarded').template as Template;
}

const lakeBucket = (stack: Stack, id = 'Lake', props: s3.BucketProps = {}) => new s3.Bucket(stack, id, { versioned: true, ...props });

describe('replacement guard', () => {
  it('names the resource and property when a change would replace a bucket', () => {
    const before = template((stack) => lakeBucket(stack));
    const after = template((stack) => lakeBucket(stack, 'Lake', { bucketName: 'fixed-name' }));
    const hazards = findStatefulHazards('prod', 'Guarded', before, after);
    expect(hazards).toHaveLength(1);
    expect(hazards[0]).toMatchObject({ resourceType: 'AWS::S3::Bucket', kind: 'replaced', properties: ['BucketName'] });
    expect(describeHazard(hazards[0])).toMatch(/^prod\/Guarded\/Lake[0-9A-F]{8} \(AWS::S3::Bucket\) would be REPLACED by changing BucketName/);
  });

  it('catches a changed logical ID (a renamed construct) as a removal', () => {
    const before = template((stack) => lakeBucket(stack, 'Lake'));
    const after = template((stack) => lakeBucket(stack, 'RenamedLake'));
    const hazards = findStatefulHazards('prod', 'Guarded', before, after);
    expect(hazards.map((hazard) => hazard.kind)).toEqual(['removed']);
    expect(describeHazard(hazards[0])).toContain('would be removed or renamed');
  });

  it('catches a log group replaced by a new name', () => {
    const before = template((stack) => new logs.LogGroup(stack, 'Logs'));
    const after = template((stack) => new logs.LogGroup(stack, 'Logs', { logGroupName: '/fixed/name' }));
    expect(findStatefulHazards('prod', 'Guarded', before, after).map((hazard) => hazard.properties)).toEqual([['LogGroupName']]);
  });

  it('lets in-place updates and additions through', () => {
    const before = template((stack) => lakeBucket(stack));
    const after = template((stack) => {
      lakeBucket(stack, 'Lake', { lifecycleRules: [{ abortIncompleteMultipartUploadAfter: undefined, noncurrentVersionsToRetain: 3 }] });
      lakeBucket(stack, 'Another');
    });
    expect(findStatefulHazards('prod', 'Guarded', before, after)).toEqual([]);
  });

  it('ignores stateless resources being replaced', () => {
    const before = template((stack) => new s3.CfnAccessPoint(stack, 'Ap', { bucket: 'b' }));
    const after = template((stack) => new s3.CfnAccessPoint(stack, 'Ap', { bucket: 'other' }));
    expect(findStatefulHazards('prod', 'Guarded', before, after)).toEqual([]);
  });

  it('an allow-list entry admits exactly the reviewed resource', () => {
    const before = template((stack) => {
      lakeBucket(stack, 'A');
      lakeBucket(stack, 'B');
    });
    const after = template((stack) => {
      lakeBucket(stack, 'A', { bucketName: 'fixed-name-a' });
      lakeBucket(stack, 'B', { bucketName: 'fixed-name-b' });
    });
    const hazards = findStatefulHazards('prod', 'Guarded', before, after);
    const allowedId = hazards[0].logicalId;
    const left = unallowedHazards(hazards, [{ environment: 'prod', stack: 'Guarded', logicalId: allowedId, reason: 'test' }]);
    expect(left.map((hazard) => hazard.logicalId)).toEqual(hazards.slice(1).map((hazard) => hazard.logicalId));
  });
});

describe.each(ENVIRONMENT_NAMES)('%s: no unreviewed replacement or removal of a stateful resource since the committed snapshot', (environment) => {
  const { templates } = synthCached(environment);
  it.each(Object.keys(templates))('%s', (stack) => {
    const committed = readSnapshot(environment, stack);
    expect(committed, `no snapshot for ${stack}; run npm run snapshots:update`).toBeDefined();
    const hazards = unallowedHazards(findStatefulHazards(environment, stack, committed!, normalizeTemplate(templates[stack])), ALLOWED_REPLACEMENTS);
    expect(hazards.map(describeHazard)).toEqual([]);
  });
});
