export * from './naming-strategy';
export * from './data-source';
export * from './embedded-postgres';
export * from './errors';
export * from './data-dir-lock';
