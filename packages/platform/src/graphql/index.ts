export * from './scalars';
export * from './connection';
