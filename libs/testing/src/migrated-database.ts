import pg from 'pg';
import { loadConfig } from '#libs/common';
import { databaseOptions, type ServiceDefinition } from '#libs/platform';
import { migrate } from '#libs/persistence';
import { createDatabase, dropDatabase, uniqueName } from './test-infra.js';

export interface MigratedDatabase {
  url: string;
  client: pg.Client;
  /** Rows of one statement on `client`. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Ends the client and drops the database. */
  drop(): Promise<void>;
}

/** A database of its own with one service's schema migrated, for tests of its SQL and migrations. */
export async function migratedDatabase(service: ServiceDefinition, prefix: string): Promise<MigratedDatabase> {
  const name = uniqueName(prefix);
  const url = await createDatabase(name);
  await migrate(databaseOptions(service, loadConfig(service.name, process.env, { databaseUrl: url })));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    client,
    sql: async (text, params) => (await client.query(text, params)).rows,
    drop: async () => {
      await client.end();
      await dropDatabase(name);
    },
  };
}
