export * from './codes';
export * from './app-error';
export * from './format-error';
export * from './startup-refusal';
