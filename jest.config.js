/** @type {import('jest').Config} */
const swc = ['@swc/jest', require('./scripts/swc-options.cjs')];
const { subgraphs } = require('./subgraphs/registry.json');

// ESM-only libraries the services load with `await import()`. swc turns that into require(), which
// Node 20 serves from ESM (require(esm)) but jest's module system cannot: jest compiles these to
// CommonJS instead, and only these; everything else in node_modules stays untransformed.
const esmOnly = ['openid-client', 'oauth4webapi', 'jose'];
const swcEsm = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/gateway',
    '<rootDir>/schema',
    '<rootDir>/subgraphs',
    '<rootDir>/test',
  ],
  testMatch: ['**/?(*.)test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': swc, [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcEsm },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@bastion/testing$': '<rootDir>/test/support/index.ts',
    '^@bastion/platform$': '<rootDir>/packages/platform/src/index.ts',
    '^@bastion/all-in-one$': '<rootDir>/all-in-one/src/index.ts',
    '^@bastion/gateway$': '<rootDir>/gateway/src/index.ts',
    '^@bastion/schema$': '<rootDir>/schema/src/index.ts',
    // Every subgraph of the registry (subgraphs/registry.json): @bastion/<name> is subgraphs/<name>.
    [`^@bastion/(${subgraphs.map((s) => s.name).join('|')})$`]:
      '<rootDir>/subgraphs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Sized for a loaded 2-core machine (a 60 s limit failed set-ups under load); hooks without a
  // limit of their own get this one too.
  testTimeout: 180_000,
  maxWorkers: 2,
  // A leaked handle must never hold CI until its deadline; the suites stop their servers themselves.
  forceExit: true,
};
