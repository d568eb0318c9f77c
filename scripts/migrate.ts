import 'reflect-metadata';
import { SERVICES } from '#libs/contracts';
import { loadConfig } from '#libs/common';
import { migrateService } from '#libs/platform';
import { loadServiceDefinition } from './service-registry.js';

/** Applies every service's pending migrations (each service also does so when it starts). */
for (const name of SERVICES) {
  const applied = await migrateService(await loadServiceDefinition(name), loadConfig(name));
  process.stdout.write(`${name}: ${applied.length ? applied.join(', ') : 'up to date'}\n`);
}
