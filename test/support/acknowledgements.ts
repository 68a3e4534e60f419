import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One acknowledged cdk-nag rule at one scope of the construct tree. */
export interface Acknowledgement {
  /** Rule ID as acknowledged, e.g. `AwsSolutions-S1` or `AwsSolutions-IAM5[Action::s3:*]`. */
  readonly rule: string;
  /** Construct path of the scope the acknowledgement sits on (`''` for the app). */
  readonly scope: string;
  readonly reason: string;
}

/** Every acknowledgement recorded with `Validations.of(x).acknowledge(...)` under `root`. */
export function collectAcknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ rule: unqualify(qualifiedId), scope: construct.node.path, reason });
      }
    }
  }
  return found;
}

/** `AwsSolutions::AwsSolutions-S1` → `AwsSolutions-S1`: the ID as the packs report it. */
function unqualify(id: string): string {
  const separator = id.indexOf('::');
  return separator === -1 ? id : id.slice(separator + 2);
}
