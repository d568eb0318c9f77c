export { loadServiceDefinition } from '../../scripts/service-registry.js';
