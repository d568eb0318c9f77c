import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the audit service runs as in production (see apps/audit/README.md). */
export const AUDIT_APP_ROLE = 'cuentas_audit_app';

/**
 * A role that can append to the ledger but never change it: SELECT and INSERT on the ledger,
 * nothing more, so UPDATE, DELETE and TRUNCATE fail on privileges even before the triggers run.
 * Roles are cluster-wide while grants are per database: the role is created only if missing
 * (several databases of one cluster run this), and a concurrent creation is tolerated.
 */
export class AuditAppRole1764300000700 implements MigrationInterface {
  name = 'AuditAppRole1764300000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_APP_ROLE}') THEN
          CREATE ROLE ${AUDIT_APP_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA audit TO ${AUDIT_APP_ROLE}`);
    await q.query(`REVOKE ALL ON audit.ledger, audit.checkpoints FROM PUBLIC, ${AUDIT_APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON audit.ledger, audit.checkpoints TO ${AUDIT_APP_ROLE}`);
    // The head moves with every append; it proves nothing on its own (verification never trusts it).
    await q.query(`GRANT SELECT, UPDATE ON audit.ledger_head TO ${AUDIT_APP_ROLE}`);
    // The messaging backbone: inbox rows, outbox rows (marked published by the relay, re-marked on
    // a republish request) and the outbox sequence; and the migrations table, read at boot.
    await q.query(`GRANT SELECT, INSERT ON audit.inbox TO ${AUDIT_APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit.outbox, audit.outbox_sequence TO ${AUDIT_APP_ROLE}`);
    await q.query(`GRANT SELECT ON audit.migrations TO ${AUDIT_APP_ROLE}`);
    await q.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO ${AUDIT_APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role stays: other databases of the cluster may still grant to it.
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM ${AUDIT_APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA audit FROM ${AUDIT_APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA audit FROM ${AUDIT_APP_ROLE}`);
  }
}
