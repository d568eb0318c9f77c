import type { QueryRunner } from 'typeorm';
import { migratedDatabase, type MigratedDatabase } from '#libs/testing';
import { disbursementsService } from '../disbursements.service.js';
import { PaymentReferenceUnique1764300000240 } from './1764300000240-payment-reference-unique.js';

describe('migration PaymentReferenceUnique: releases made before it', () => {
  let db: MigratedDatabase;
  const migration = new PaymentReferenceUnique1764300000240();
  const runner = () => ({ query: db.sql }) as unknown as QueryRunner;

  beforeAll(async () => {
    db = await migratedDatabase(disbursementsService, 'pay_ref');
    // As before the migration: no key column, and two releases that share a wire.
    await migration.down(runner());
    await db.sql(
      `INSERT INTO disbursements.funding_accounts (program_id, status, version, budget_cents, reserved_cents, released_cents, state, opened_at, updated_at)
       VALUES ('0192f0c4-7d2a-7c3e-9b1a-000000000001', 'OPEN', 1, 1000, 0, 600, '{}', now(), now())`,
    );
    const release = (id: string, status: string, reference: string | null, minutesAgo: number) =>
      db.sql(
        `INSERT INTO disbursements.disbursements (id, program_id, status, version, amount_cents, requested_by, state, requested_at, updated_at)
         VALUES ($1, '0192f0c4-7d2a-7c3e-9b1a-000000000001', $2, 3, 200, 'gm', jsonb_build_object('release', $3::text::jsonb), now(), now() - make_interval(mins => $4))`,
        [id, status, reference === null ? 'null' : JSON.stringify({ paymentReference: reference }), minutesAgo],
      );
    await release('0192f0c4-7d2a-7c3e-9b1a-00000000000a', 'RELEASED', 'WIRE-1', 30);
    await release('0192f0c4-7d2a-7c3e-9b1a-00000000000b', 'RELEASED', ' wire-1', 10);
    await release('0192f0c4-7d2a-7c3e-9b1a-00000000000c', 'RELEASED', 'WIRE-2', 20);
    await release('0192f0c4-7d2a-7c3e-9b1a-00000000000d', 'APPROVED', null, 5);
    await migration.up(runner());
  });
  afterAll(() => db?.drop());

  it('keys each reference on its first release only, so the unique index is built over a history with a duplicate', async () => {
    const keys = await db.sql(`SELECT right(id::text, 1) AS id, payment_reference_key AS key FROM disbursements.disbursements ORDER BY id`);
    expect(keys).toEqual([
      { id: 'a', key: 'WIRE-1' },
      { id: 'b', key: null },
      { id: 'c', key: 'WIRE-2' },
      { id: 'd', key: null },
    ]);
    await expect(
      db.sql(`UPDATE disbursements.disbursements SET payment_reference_key = 'WIRE-2' WHERE id = '0192f0c4-7d2a-7c3e-9b1a-00000000000d'`),
    ).rejects.toThrow(/uq_disbursements_payment_reference/);
  });
});
