export * from './env';
export * from './platform';
export * from './users';
export * from './tier-matrix';
