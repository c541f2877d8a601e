export * from './config';
export * from './start';
export * from './authenticate';
export * from './client-address';
