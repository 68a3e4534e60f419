// placeholder: replaced at merge by prv-store
/**
 * The `release` handler of the erasure workflow (see the design of issue 14 for its input and output). This
 * file only lets the privacy construct bundle and synthesize on its own branch: it fails every call.
 */
export async function handler(): Promise<never> {
  throw new Error('not implemented: release (placeholder until the prv-store branch is merged)');
}
