export * from './preamble';
export * from './rules';
export * from './build-permissions';
