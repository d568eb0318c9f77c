import { SERVICES, type ServiceName } from '#libs/contracts';
import type { ServiceDefinition } from '#libs/platform';

/** Loads a service's definition by convention: apps/<name>/src/<name>.service.ts exports `<name>Service`. */
export async function loadServiceDefinition(name: ServiceName): Promise<ServiceDefinition> {
  const module = (await import(`../apps/${name}/src/${name}.service.js`)) as Record<string, ServiceDefinition>;
  const definition = module[`${name}Service`];
  if (!definition) throw new Error(`apps/${name}/src/${name}.service.ts does not export ${name}Service`);
  return definition;
}

export function isServiceName(name: string | undefined): name is ServiceName {
  return SERVICES.includes(name as ServiceName);
}
