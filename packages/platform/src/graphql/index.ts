export * from './scalars';
export * from './connection';
export * from './internal-gateway';
export * from './organization-membership';
