export * from './http';
export * from './subgraph';
