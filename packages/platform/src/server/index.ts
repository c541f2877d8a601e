export * from './http';
export * from './subgraph';
export * from './input-hygiene';
export * from './denied-attempts';
export * from './json-body';
export { shutdownSignalOf, wrapUpLeadMs } from './request-drain';
export * from './prebuilt-schema';
