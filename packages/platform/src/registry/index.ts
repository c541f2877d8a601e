export * from './subgraphs';
export * from './definition';
