export * from './config';
export * from './server';
export { migrations as aiMigrations } from './migrations';
