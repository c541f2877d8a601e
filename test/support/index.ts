export * from './env';
export * from './platform';
export * from './users';
export * from './tier-matrix';
export * from './smtp-capture';
export * from './oidc';
export * from './processes';
export * from './load';
