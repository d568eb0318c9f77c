export * from './test-infra.js';
export * from './process-cluster.js';
export * from './lifecycle-driver.js';
export * from './program-dates.js';
export * from './migrated-database.js';
