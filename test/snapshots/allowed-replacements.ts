import type { AllowedHazard } from '../support/replacement-guard';

/**
 * Deliberate replacements or removals of stateful resources, reviewed and recorded. The replacement
 * guard refuses any other. Add an entry only with a reason a reviewer can check (what happens to the
 * data, and how it is migrated), and remove it once the change has landed.
 */
export const ALLOWED_REPLACEMENTS: readonly AllowedHazard[] = [];
