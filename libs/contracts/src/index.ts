export * from './envelope.js';
export * from './errors.js';
export * from './events.js';
export * from './payload-schema.js';
export * from './reference.js';
export * from './services.js';
