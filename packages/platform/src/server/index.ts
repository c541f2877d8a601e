export * from './http';
export * from './subgraph';
export * from './input-hygiene';
export { shutdownSignalOf, wrapUpLeadMs } from './request-drain';
