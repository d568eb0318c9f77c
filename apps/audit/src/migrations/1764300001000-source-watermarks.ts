import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_APP_ROLE } from './1764300000700-audit-app-role.js';

/**
 * How far each source's sequence is known to be complete. Gap healing, which runs every few
 * seconds, reads a source's entries above its watermark instead of the whole ledger. Verification
 * never reads it: it recomputes every gap from the entries.
 */
export class SourceWatermarks1764300001000 implements MigrationInterface {
  name = 'SourceWatermarks1764300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.source_watermarks (
        source text PRIMARY KEY,
        contiguous_seq bigint NOT NULL
      )`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit.source_watermarks TO ${AUDIT_APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.source_watermarks`);
  }
}
