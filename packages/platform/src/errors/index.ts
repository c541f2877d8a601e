export * from './codes';
export * from './app-error';
export * from './format-error';
export * from './startup-refusal';
export * from './error-request-id';
