// First: before anything loads @apollo/gateway (docs/operations.md "Start time").
import './defer-telemetry';
export * from './config';
export * from './start';
export * from './authenticate';
export * from './client-address';
export { DEVELOPMENT_HOSTS, DEVELOPMENT_PORTS } from './cors';
