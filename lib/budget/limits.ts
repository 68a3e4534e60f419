/**
 * CloudFormation's (and IAM's and CloudWatch's) hard limits on one stack, and the budgets the app keeps
 * under them: synth fails at the budget, so there is headroom for a hotfix before anything is refused.
 */
export type Measure = 'resources' | 'templateBytes' | 'outputs' | 'parameters' | 'policySize' | 'alarmRuleLength' | 'lifecycleRules' | 'lambdaEnvironment';
export const MEASURES: readonly Measure[] = ['resources', 'templateBytes', 'outputs', 'parameters', 'policySize', 'alarmRuleLength', 'lifecycleRules', 'lambdaEnvironment'];

export interface Limit {
  /** How the measure is named in messages. */
  readonly label: string;
  /** What refuses it at the hard limit. */
  readonly hard: number;
  readonly budget: number;
  /** Who enforces the hard limit. */
  readonly enforcedBy: string;
}

export const LIMITS: Readonly<Record<Measure, Limit>> = {
  resources: { label: 'resources', hard: 500, budget: 400, enforcedBy: "CloudFormation's limit" },
  // CloudFormation reads templates up to 1 MB from S3; aws-cdk-lib measures 1,000,000 bytes as written.
  templateBytes: { label: 'template bytes', hard: 1_000_000, budget: 800_000, enforcedBy: "CloudFormation's limit" },
  outputs: { label: 'outputs', hard: 200, budget: 160, enforcedBy: "CloudFormation's limit" },
  parameters: { label: 'parameters', hard: 200, budget: 160, enforcedBy: "CloudFormation's limit" },
  // The inline policies of one role together, whitespace not counted (managed policies: 6,144, checked as 80 % of it).
  policySize: { label: 'IAM policy characters (largest role or policy)', hard: 10_240, budget: 8_192, enforcedBy: "IAM's limit" },
  alarmRuleLength: { label: 'composite alarm rule characters (longest)', hard: 10_240, budget: 8_192, enforcedBy: "CloudWatch's limit" },
  // Dataset retention is a rule on the dataset's prefix and one on its error prefix, on the zone's bucket.
  lifecycleRules: { label: 'lifecycle rules of one bucket (most)', hard: 1_000, budget: 800, enforcedBy: "S3's limit" },
  // Keys and values together; the data-quality function lists its tables in one variable.
  lambdaEnvironment: { label: 'Lambda environment bytes (largest function)', hard: 4_096, budget: 3_276, enforcedBy: "Lambda's limit" },
};

/** IAM's limit on one managed policy document (characters, whitespace not counted). */
export const MANAGED_POLICY_LIMIT = 6_144;
