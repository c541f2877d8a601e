export * from './config';
export * from './server';
export { migrations as orgsMigrations } from './migrations';
