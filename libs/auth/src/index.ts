export * from './auth.guard.js';
export * from './auth.module.js';
export * from './jwt.js';
