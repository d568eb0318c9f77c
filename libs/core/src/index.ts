export * from './aggregate-root.js';
export * from './domain-error.js';
export * from './party-name.js';
export * from './money.js';
export * from './person.js';
