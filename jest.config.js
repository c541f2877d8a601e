/** @type {import('jest').Config} */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/gateway', '<rootDir>/schema', '<rootDir>/subgraphs', '<rootDir>/test'],
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@bastion/testing$': '<rootDir>/test/support/index.ts',
    '^@bastion/platform$': '<rootDir>/packages/platform/src/index.ts',
    '^@bastion/standalone$': '<rootDir>/packages/standalone/src/index.ts',
    '^@bastion/gateway$': '<rootDir>/gateway/src/index.ts',
    '^@bastion/schema$': '<rootDir>/schema/src/index.ts',
    '^@bastion/(auth|orgs|credits|ai)$': '<rootDir>/subgraphs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
