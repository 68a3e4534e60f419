import type * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeObjectArnWildcards } from '../compliance';

/** IAM5 on the data-access role's object ARNs: the "IAM5 on object ARNs" decision (docs/decisions.md), at that role. */
export function acknowledgeDataAccessRoleFindings(role: iam.Role): void {
  acknowledgeObjectArnWildcards(
    role,
    'Object ARNs cannot be enumerated (compliance decisions in docs/decisions.md, IAM5 on object ARNs): Lake Formation ' +
      "reads and writes any object of this one zone bucket on behalf of granted principals, and nothing outside it.",
  );
}
