export * from './config';
export * from './server';
export { migrations as authMigrations } from './migrations';
