export * from './compose';
export * from './tier-table';
