export * from './naming-strategy';
export * from './data-source';
export * from './embedded-postgres';
export * from './errors';
