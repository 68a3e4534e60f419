import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { cliContext } from './app-context';

/**
 * A stack for testing one construct on its own, with the app's feature flags (so a construct behaves
 * as in the app) and the built-in validation off for speed. Pass `env` to get a concrete account/region.
 */
export function constructStack(env?: { account: string; region: string }): Stack {
  const app = new App({ context: cliContext(), builtinCloudFormationValidation: false });
  return new Stack(app, 'ConstructUnderTest', { env });
}

export const templateOf = (stack: Stack) => Template.fromStack(stack);
