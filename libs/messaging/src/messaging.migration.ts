import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox, its gapless per-source sequence and the inbox, in a service's own schema.
 * A statement trigger NOTIFYs the relay; Postgres delivers it only when the transaction commits.
 */
export function messagingMigration(schema: string): new () => MigrationInterface {
  return class MessagingTables1764200000000 implements MigrationInterface {
    name = 'MessagingTables1764200000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE "${schema}".outbox (
          id bigserial PRIMARY KEY,
          event_id uuid NOT NULL,
          source_seq bigint NOT NULL,
          type text NOT NULL,
          envelope jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz,
          CONSTRAINT uq_outbox_event_id UNIQUE (event_id),
          CONSTRAINT uq_outbox_source_seq UNIQUE (source_seq)
        )`);
      await q.query(`CREATE INDEX ix_outbox_unpublished ON "${schema}".outbox (id) WHERE published_at IS NULL`);
      await q.query(`
        CREATE TABLE "${schema}".outbox_sequence (
          id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
          value bigint NOT NULL
        )`);
      await q.query(`INSERT INTO "${schema}".outbox_sequence (id, value) VALUES (1, 0)`);
      await q.query(`
        CREATE TABLE "${schema}".inbox (
          event_id uuid PRIMARY KEY,
          type text NOT NULL,
          source text NOT NULL,
          source_seq bigint NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now()
        )`);
      await q.query(`
        CREATE FUNCTION "${schema}".notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('cuentas_outbox_${schema}', ''); RETURN NULL; END $$`);
      await q.query(`
        CREATE TRIGGER trg_outbox_notify AFTER INSERT ON "${schema}".outbox
        FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".notify_outbox()`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE "${schema}".inbox, "${schema}".outbox_sequence, "${schema}".outbox`);
      await q.query(`DROP FUNCTION "${schema}".notify_outbox()`);
    }
  };
}

/**
 * Counts how often a row was published again (healing, Redis restarts), so a re-sent job gets a
 * fresh job id: BullMQ ignores an add whose id it still keeps (completed within retention, parked).
 */
export function messagingRepublishMigration(schema: string): new () => MigrationInterface {
  return class MessagingRepublishCount1764200000001 implements MigrationInterface {
    name = 'MessagingRepublishCount1764200000001';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox ADD COLUMN republished integer NOT NULL DEFAULT 0`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox DROP COLUMN republished`);
    }
  };
}

/**
 * The relay numbers rows after commit (see `Outbox`): a row waits with no `sourceSeq` until then.
 * A relay claims the rows it publishes with a short lease (`claimed_until`) instead of holding
 * their locks across the call to Redis.
 */
export function messagingRelayNumberingMigration(schema: string): new () => MigrationInterface {
  return class MessagingRelayNumbering1764200000002 implements MigrationInterface {
    name = 'MessagingRelayNumbering1764200000002';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox ALTER COLUMN source_seq DROP NOT NULL`);
      await q.query(`ALTER TABLE "${schema}".outbox ADD COLUMN claimed_until timestamptz`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE "${schema}".outbox DROP COLUMN claimed_until`);
      await q.query(`ALTER TABLE "${schema}".outbox ALTER COLUMN source_seq SET NOT NULL`);
    }
  };
}

/**
 * The commit NOTIFY names what changed: the aggregate and program ids of the statement's events,
 * comma-separated. Every replica's relay listens, so a GET held on any replica (Prefer: wait)
 * wakes when another one commits. A payload stays under NOTIFY's 8000-byte limit.
 */
export function messagingNotifyKeysMigration(schema: string): new () => MigrationInterface {
  return class MessagingNotifyKeys1764200000003 implements MigrationInterface {
    name = 'MessagingNotifyKeys1764200000003';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`DROP TRIGGER trg_outbox_notify ON "${schema}".outbox`);
      await q.query(`
        CREATE OR REPLACE FUNCTION "${schema}".notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('cuentas_outbox_${schema}', coalesce(left((
            SELECT string_agg(DISTINCT k, ',') FROM inserted,
              LATERAL (VALUES (inserted.envelope->>'aggregateId'), (inserted.envelope->'payload'->>'programId')) AS keys (k)
            WHERE k IS NOT NULL), 7900), ''));
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE TRIGGER trg_outbox_notify AFTER INSERT ON "${schema}".outbox
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".notify_outbox()`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TRIGGER trg_outbox_notify ON "${schema}".outbox`);
      await q.query(`
        CREATE OR REPLACE FUNCTION "${schema}".notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('cuentas_outbox_${schema}', ''); RETURN NULL; END $$`);
      await q.query(`
        CREATE TRIGGER trg_outbox_notify AFTER INSERT ON "${schema}".outbox
        FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".notify_outbox()`);
    }
  };
}

/** Every messaging migration of a service's schema, in order. */
export const messagingMigrations = (schema: string) => [
  messagingMigration(schema),
  messagingRepublishMigration(schema),
  messagingRelayNumberingMigration(schema),
  messagingNotifyKeysMigration(schema),
];

export const outboxChannel = (schema: string) => `cuentas_outbox_${schema}`;
