export * from './database.js';
export * from './pagination.js';
export * from './transaction-runner.js';
export * from './persistence.module.js';
export { planEachRun } from './preparing-client.js';
export * from './statements.js';
export * from './unique-violation.js';
