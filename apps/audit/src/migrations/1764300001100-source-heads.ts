import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APP_ROLE } from './1764300000700-audit-app-role.js';

/**
 * The highest `sourceSeq` each source has reported (SOURCE_HEAD_JOB) and when audit first heard
 * of it. Gap healing compares it with the source's newest recorded entry, so the newest events of
 * a source that has gone quiet are asked for again if they never arrived. Verification lists
 * those events apart (`unrecorded`): a head is a source's claim, not evidence.
 */
export class SourceHeads1764300001100 implements MigrationInterface {
  name = 'SourceHeads1764300001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.source_heads (
        source text PRIMARY KEY,
        head_seq bigint NOT NULL,
        reported_at timestamptz NOT NULL
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit.source_heads TO ${AUDIT_APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.source_heads`);
  }
}
