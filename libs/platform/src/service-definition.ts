import type { Server } from 'node:http';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import type { MixedList } from 'typeorm';
import type { ServiceName } from '#libs/contracts';
import { AuthModule } from '#libs/auth';
import { CommonModule, UPSTREAM_IDLE_MS, buildServiceApp, loadConfig, type BuildOptions, type ServiceConfig } from '#libs/common';
import { MessagingModule, messagingMigrations } from '#libs/messaging';
import { PersistenceModule, migrate, type DatabaseOptions } from '#libs/persistence';

/** Everything needed to migrate, build and run one service; shared by main.ts, the CLI and tests. */
export interface ServiceDefinition {
  name: ServiceName;
  title: string;
  description: string;
  /** The service's feature modules. */
  features: Array<Type | DynamicModule>;
  entities: Function[];
  migrations: Function[];
}

export function databaseOptions(def: ServiceDefinition, config: ServiceConfig): DatabaseOptions {
  return {
    url: config.databaseUrl,
    schema: def.name,
    poolSize: config.dbPoolSize,
    preparedStatements: config.dbPreparedStatements,
    entities: def.entities,
    // The backbone's tables come first: every service has an outbox and an inbox.
    migrations: [...messagingMigrations(def.name), ...def.migrations] as MixedList<Function>,
  };
}

export function serviceModule(def: ServiceDefinition, config: ServiceConfig): DynamicModule {
  class ServiceRootModule {}
  Object.defineProperty(ServiceRootModule, 'name', { value: `${def.name[0].toUpperCase()}${def.name.slice(1)}Module` });
  return {
    module: ServiceRootModule,
    imports: [
      CommonModule.forRoot(config),
      PersistenceModule.forRoot({ ...databaseOptions(def, config), poolSize: config.dbPoolSize }),
      MessagingModule.forService(config),
      AuthModule,
      ...def.features,
    ],
  };
}

export function migrateService(def: ServiceDefinition, config: ServiceConfig): Promise<string[]> {
  return migrate(databaseOptions(def, config));
}

/** Migrates and builds a service's application (not yet listening). */
export async function createService(def: ServiceDefinition, config: ServiceConfig, options: Pick<BuildOptions, 'shutdownHooks'> = {}): Promise<INestApplication> {
  await migrateService(def, config);
  return buildServiceApp(serviceModule(def, config), { title: def.title, description: def.description, ...options });
}

/** Listens with keep-alive longer than the gateway's, so it never reuses a socket the service is just closing. */
export async function listenBehindGateway(app: INestApplication, config: ServiceConfig): Promise<void> {
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = UPSTREAM_IDLE_MS + 5_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  await app.listen(config.port, config.host);
}

/** The body of every service's main.ts. */
export async function runService(def: ServiceDefinition): Promise<INestApplication> {
  const config = loadConfig(def.name);
  const app = await createService(def, config);
  await listenBehindGateway(app, config);
  return app;
}
