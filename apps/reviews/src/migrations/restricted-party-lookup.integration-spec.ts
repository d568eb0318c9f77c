import pg from 'pg';
import { loadConfig } from '#libs/common';
import { databaseOptions } from '#libs/platform';
import { migrate } from '#libs/persistence';
import { createDatabase, dropDatabase, migrationsBefore, uniqueName } from '#libs/testing';
import { SEED_RESTRICTED_PARTIES } from '../reference-data/domain/seed-data.js';
import { reviewsService } from '../reviews.service.js';
import { RestrictedPartyLookup1764300000120 } from './1764300000120-restricted-party-lookup.js';

/** The safeguard check names the active list's length from a count a trigger keeps; it must match the rows whoever writes them. */
describe('migration RestrictedPartyLookup: the active restricted list is counted by a trigger', () => {
  const database = uniqueName('restricted_count');
  let client: pg.Client;
  const size = async () => (await client.query(`SELECT active FROM reviews.restricted_list_size`)).rows[0].active as number;
  const counted = async () => Number((await client.query(`SELECT count(*) FROM reviews.restricted_parties WHERE removed_at IS NULL`)).rows[0].count);
  const insert = (name: string) =>
    client.query(`INSERT INTO reviews.restricted_parties (name, normalised_name, reason, source, created_by) VALUES ($1, $1, 'r', 's', 'c')`, [name]);

  beforeAll(async () => {
    const url = await createDatabase(database);
    const options = databaseOptions(reviewsService, loadConfig('reviews', process.env, { databaseUrl: url }));
    // Parties written before the migration are counted by it.
    await migrate(migrationsBefore(options, RestrictedPartyLookup1764300000120));
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await insert('EARLIER');
    await migrate(options);
  });
  afterAll(async () => {
    await client?.end();
    await dropDatabase(database);
  });

  it('starts from the rows already there', async () => {
    expect(await size()).toBe(SEED_RESTRICTED_PARTIES.length + 1);
  });

  it('follows inserts, removals, other edits, deletions and a truncate', async () => {
    await insert('A');
    await insert('B');
    expect(await size()).toBe(await counted());
    await client.query(`UPDATE reviews.restricted_parties SET removed_at = now() WHERE name = 'A'`);
    await client.query(`UPDATE reviews.restricted_parties SET reason = 'other reason' WHERE name = 'B'`);
    expect(await size()).toBe(await counted());
    // Deleting a removed party changes nothing; deleting an active one does.
    await client.query(`DELETE FROM reviews.restricted_parties WHERE name IN ('A', 'B')`);
    expect(await size()).toBe(await counted());
    expect(await size()).toBe(SEED_RESTRICTED_PARTIES.length + 1);
    await client.query(`TRUNCATE reviews.restricted_parties`);
    expect(await size()).toBe(0);
  });
});
