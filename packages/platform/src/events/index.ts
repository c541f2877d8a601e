export * from './catalog';
export * from './set-aside';
export * from './types';
export * from './outbox.entity';
export * from './outbox';
export * from './relay';
export * from './inbox';
export * from './bus';
