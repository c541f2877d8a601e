export * from './load-config';
export * from './common';
export * from './duration';
export * from './deployment';
