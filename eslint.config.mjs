// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'cdk.out.*/', 'dist/', '.bench-out/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Boolean defaults must use ??, never || (`enforceSSL: props.enforceSSL || true` can't be turned off).
      'no-restricted-syntax': [
        'error',
        {
          selector: "LogicalExpression[operator='||'] > Literal[value=true]",
          message: 'Use ?? for boolean defaults: `x || true` can never be false.',
        },
      ],
    },
  },
  {
    files: ['constructs/**/*.ts'],
    rules: {
      // Dependency direction (docs/architecture.md): the construct library never imports the app or its config.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/config', '**/config/**'], message: 'constructs/ must not import config/ (dependency direction: lib → constructs).' },
            { group: ['**/lib', '**/lib/**', '!aws-cdk-lib/**', '!aws-cdk-lib'], message: 'constructs/ must not import lib/.' },
            { group: ['**/bin/**'], message: 'constructs/ must not import bin/.' },
            { group: ['cdk-nag'], message: 'constructs/ acknowledge findings through aws-cdk-lib Validations; cdk-nag is an app concern.' },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['config/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/lib/**', '!aws-cdk-lib/**'], message: 'config/ must not import lib/.' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
