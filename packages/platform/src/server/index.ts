export * from './http';
export * from './subgraph';
export * from './input-hygiene';
