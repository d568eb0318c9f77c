import pg from 'pg';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { ErrorTolerantClient, PreparingClient } from './preparing-client.js';

export interface DatabaseOptions {
  url: string;
  schema: string;
  entities: MixedList<Function | string>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Name repeated statements (PreparingClient); off for a connection pooler that cannot keep them. */
  preparedStatements?: boolean;
  applicationName?: string;
}

/** TypeORM options for a service that owns one schema. Migrations only, never synchronize. */
export function dataSourceOptions(o: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName: o.applicationName ?? `cuentas-${o.schema}`,
    // Fail fast rather than queue forever when Postgres is down; the pool reconnects on its own.
    extra: {
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 30_000,
      Client: o.preparedStatements ? PreparingClient : ErrorTolerantClient,
    },
  };
}

/**
 * Creates the schema and applies pending migrations, serialised across instances by an advisory
 * lock so that several replicas starting at once do not race.
 */
export async function migrate(o: DatabaseOptions): Promise<string[]> {
  const client = new pg.Client({ connectionString: o.url, application_name: `cuentas-${o.schema}-migrate` });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`cuentas-migrate:${o.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${o.schema}"`);
    const ds = new DataSource({ ...dataSourceOptions(o), extra: { max: 1 } });
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`cuentas-migrate:${o.schema}`]).catch(() => undefined);
    await client.end();
  }
}
