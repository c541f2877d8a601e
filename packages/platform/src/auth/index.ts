export * from './viewer';
export * from './keys';
export * from './service-tokens';
export * from './canonical-json';
export * from './forwarded-claims';
export * from './replay-guard';
export * from './access-tokens';
export * from './revocation';
