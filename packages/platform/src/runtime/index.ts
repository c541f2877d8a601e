export * from './platform-deps';
export * from './run-main';
export * from './subgraph-service';
export * from './redis-client';
export * from './shutdown';
export * from './development-secrets';
export * from './dot-env';
export * from './startup-error';
