// Static security lint (`npm run lint`, run by CI): eslint-plugin-security's rules, as errors, over
// the TypeScript that runs in production. Not a style lint: formatting is left to review.
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

const asErrors = (rules) => Object.fromEntries(Object.keys(rules).map((name) => [name, 'error']));

export default [
  {
    // Built output, dependencies and data; tests and fixtures are not deployed.
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'test/**', '**/test/**', '**/*.test.ts'],
  },
  {
    files: ['packages/*/src/**/*.ts', 'gateway/src/**/*.ts', 'subgraphs/*/src/**/*.ts', 'schema/src/**/*.ts', 'bench/src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    // The TypeScript plugin is registered so the sources' existing disable comments for its rules resolve.
    plugins: { security, '@typescript-eslint': tseslint.plugin },
    rules: {
      ...asErrors(security.configs.recommended.rules),
      // Flags every obj[variable]: hundreds of hits on maps keyed by our own constants, none a
      // prototype-pollution path. Untrusted input reaches objects only through zod-parsed shapes.
      'security/detect-object-injection': 'off',
      // `Function` as a type: the few places that need it (TypeORM's entity lists) say why.
      '@typescript-eslint/no-unsafe-function-type': 'error',
      // Code from strings is never needed here.
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
];
