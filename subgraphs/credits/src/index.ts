export * from './config';
export * from './server';
export { migrations as creditsMigrations } from './migrations';
