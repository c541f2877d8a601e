export * from './config';
export * from './start';
export * from './authenticate';
export * from './client-address';
export { DEVELOPMENT_HOSTS, DEVELOPMENT_PORTS } from './cors';
