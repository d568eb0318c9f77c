import pg from 'pg';
import { loadConfig } from '#libs/common';
import { databaseOptions } from '#libs/platform';
import { migrate } from '#libs/persistence';
import { createDatabase, dropDatabase, migrationsBefore, uniqueName } from '#libs/testing';
import { auditService } from '../audit.service.js';
import { LedgerCanonicalJson1764300000900 } from './1764300000900-ledger-canonical-json.js';
import { buildChain, envelopeFixture } from '../ledger/domain/ledger-entry.fixtures.js';
import { verifyLedger } from '../ledger/queries/verify-ledger.js';

/** A ledger written before actor and payload were stored as RFC 8785 text still verifies after the migration. */
describe('migration LedgerCanonicalJson: jsonb actor and payload become their canonical text', () => {
  const database = uniqueName('canonical_json');
  let url: string;
  let client: pg.Client;
  beforeAll(async () => {
    url = await createDatabase(database);
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await dropDatabase(database);
  });

  it('rewrites earlier rows as the canonical text of the same JSON, so every hash still verifies', async () => {
    const options = databaseOptions(auditService, loadConfig('audit', process.env, { databaseUrl: url }));
    await migrate(migrationsBefore(options, LedgerCanonicalJson1764300000900));
    const entries = buildChain(12);
    // As the jsonb columns held them: keys in any order (here reversed), which jsonb reorders.
    const reversed = (value: object) => JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));
    for (const e of entries) {
      await client.query(
        `INSERT INTO audit.ledger (seq, event_id, type, version, source, source_seq, aggregate_type, aggregate_id, aggregate_version,
           actor_id, actor, occurred_at, recorded_at, correlation_id, causation_id, payload, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [e.seq, e.eventId, e.type, e.version, e.source, e.sourceSeq, e.aggregateType, e.aggregateId, e.aggregateVersion, e.actor.id,
          reversed(e.actor), e.occurredAt, e.recordedAt, e.correlationId, e.causationId, reversed(e.payload as object), e.prevHash, e.hash],
      );
    }
    const jsonbText = (await client.query(`SELECT payload::text AS payload FROM audit.ledger WHERE seq = 1`)).rows[0].payload as string;
    expect(jsonbText).toContain('": '); // jsonb's own text form, not the canonical one

    await migrate(options);

    const [row] = (await client.query(`SELECT actor, payload FROM audit.ledger WHERE seq = 1`)).rows as Array<{ actor: string; payload: string }>;
    const { amountCents, programId } = envelopeFixture(1).payload as { amountCents: number; programId: string };
    expect(row.payload).toBe(`{"amountCents":${amountCents},"disbursementId":"d-1","programId":"${programId}","purpose":"Seeds, tools"}`);
    expect(JSON.parse(row.actor)).toEqual(entries[0].actor);
    const sql = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;
    expect(await verifyLedger(sql, 'unused: no checkpoints', { databaseUrl: url, parallelism: 1 })).toMatchObject({
      valid: true,
      checked: 12,
      headSeq: 12,
    });
    // The append-only trigger is back: the migration suspended it only for its own rewrite.
    await expect(client.query(`UPDATE audit.ledger SET payload = '{}' WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });
});
