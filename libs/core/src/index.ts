export * from './aggregate-root.js';
export * from './domain-error.js';
