import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only ledger. A one-row head (seq, hash) is locked by each append, which makes the
 * sequence gapless and the chain linear; triggers refuse UPDATE, DELETE and TRUNCATE.
 */
export class Ledger1764300000500 implements MigrationInterface {
  name = 'Ledger1764300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.ledger (
        seq bigint PRIMARY KEY,
        event_id uuid NOT NULL,
        type text NOT NULL,
        version integer NOT NULL,
        source text NOT NULL,
        source_seq bigint NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        aggregate_version integer NOT NULL,
        program_id uuid,
        actor_id text NOT NULL,
        actor jsonb NOT NULL,
        occurred_at text NOT NULL,
        recorded_at text NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        payload jsonb NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        CONSTRAINT uq_ledger_event_id UNIQUE (event_id),
        CONSTRAINT uq_ledger_source_seq UNIQUE (source, source_seq)
      )`);
    await q.query(`CREATE INDEX ix_ledger_program ON audit.ledger (program_id, seq) WHERE program_id IS NOT NULL`);
    await q.query(`CREATE INDEX ix_ledger_aggregate ON audit.ledger (aggregate_id, seq)`);
    await q.query(`CREATE INDEX ix_ledger_type ON audit.ledger (type, seq)`);
    await q.query(`CREATE INDEX ix_ledger_actor ON audit.ledger (actor_id, seq)`);
    await q.query(`CREATE INDEX ix_ledger_correlation ON audit.ledger (correlation_id, seq)`);
    await q.query(`
      CREATE TABLE audit.ledger_head (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        seq bigint NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`INSERT INTO audit.ledger_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))`);
    await q.query(`
      CREATE FUNCTION audit.refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the audit ledger is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(`
      CREATE TRIGGER trg_ledger_no_update_delete BEFORE UPDATE OR DELETE ON audit.ledger
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_ledger_change()`);
    await q.query(`
      CREATE TRIGGER trg_ledger_no_truncate BEFORE TRUNCATE ON audit.ledger
      FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_ledger_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.ledger_head, audit.ledger`);
    await q.query(`DROP FUNCTION audit.refuse_ledger_change()`);
  }
}
