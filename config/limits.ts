/**
 * AWS limits that the configuration schema enforces, kept in one place with their source so a
 * reviewer can check each against AWS documentation.
 */

/** Environment names the app knows; each has a file in config/environments/. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/**
 * CloudWatch Logs accepts only these retention values (PutRetentionPolicy API reference,
 * `retentionInDays` enum).
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * S3 lifecycle transition targets, in the order S3 allows objects to move (the lifecycle "waterfall":
 * a rule may only transition to a class further down this list).
 */
export const STORAGE_CLASSES = [
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;
export type StorageClassName = (typeof STORAGE_CLASSES)[number];

/** STANDARD_IA and ONEZONE_IA transitions are rejected by S3 before 30 days after creation. */
export const INFREQUENT_ACCESS_MIN_DAYS = 30;

/** AWS tag limits (Tagging best practices / TagResource API): key 1-128, value 0-256 characters. */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** Characters AWS accepts in tag keys and values across services (letters, digits, spaces, `_ . : / = + - @`). */
export const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** AWS allows 50 user tags per resource (tags with the `aws:` prefix do not count). */
export const TAGS_PER_RESOURCE_MAX = 50;
/** Tags aws-cdk-lib sets itself on some resources, which count towards the 50. */
export const CDK_OWN_TAG_KEYS = ['Name', 'aws-cdk:subnet-name', 'aws-cdk:subnet-type', 'aws-cdk:auto-delete-objects'] as const;
/** The most of those on one resource: a subnet carries the first three (test/config/tag-limit.test.ts checks). */
export const CDK_OWN_TAGS_PER_RESOURCE = 3;

/** Lake Formation: at most 1000 values per LF-tag (the `domain` tag's values are the configured domains). */
export const LF_TAG_VALUES_MAX = 1000;
