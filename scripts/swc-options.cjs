/** The one swc setting for TypeScript here: the build (scripts/build.mjs) and jest both use it. */
module.exports = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    // TypeORM reads column types from decorator metadata.
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};
