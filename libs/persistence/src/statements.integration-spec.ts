import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { createDatabase, dropDatabase, uniqueName } from '#libs/testing';
import { lockParentOf } from './statements.js';

@Entity({ schema: 'locks', name: 'accounts' })
class AccountEntity {
  @PrimaryColumn({ name: 'program_id', type: 'uuid' })
  programId!: string;

  @Column({ type: 'int' })
  balance!: number;
}

@Entity({ schema: 'locks', name: 'requests' })
class RequestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'program_id', type: 'uuid' })
  programId!: string;
}

/** Against the real server: which rows another session finds locked while the lock is held. */
describe('lockParentOf', () => {
  const database = uniqueName('locks');
  let ds: DataSource;
  let other: pg.Client;
  const programId = randomUUID();
  const requestId = randomUUID();

  beforeAll(async () => {
    const url = await createDatabase(database);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`CREATE SCHEMA locks;
      CREATE TABLE locks.accounts (program_id uuid PRIMARY KEY, balance int NOT NULL);
      CREATE TABLE locks.requests (id uuid PRIMARY KEY, program_id uuid NOT NULL)`);
    await setup.query('INSERT INTO locks.accounts VALUES ($1, 100), ($2, 5)', [programId, randomUUID()]);
    await setup.query('INSERT INTO locks.requests VALUES ($1, $2)', [requestId, programId]);
    await setup.end();
    ds = await new DataSource({ type: 'postgres', url, entities: [AccountEntity, RequestEntity] }).initialize();
    other = new pg.Client({ connectionString: url });
    await other.connect();
  });

  afterAll(async () => {
    await other.end();
    await ds.destroy();
    await dropDatabase(database);
  });

  /** Whether the other session can take `lock` on the row at once (NOWAIT fails with 55P03 when it is held). */
  const otherCanLock = async (table: 'accounts' | 'requests', column: string, id: string, lock: 'UPDATE' | 'SHARE') => {
    await other.query('BEGIN');
    try {
      await other.query(`SELECT 1 FROM locks.${table} WHERE ${column} = $1 FOR ${lock} NOWAIT`, [id]);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') return false;
      throw err;
    } finally {
      await other.query('ROLLBACK');
    }
  };

  it("finds the parent through the child's key, and nothing for a child that does not exist", async () => {
    await ds.transaction(async (em) => {
      expect(await lockParentOf(em, AccountEntity, RequestEntity, 'programId', requestId, 'pessimistic_read')).toEqual({ programId, balance: 100 });
      expect(await lockParentOf(em, AccountEntity, RequestEntity, 'programId', randomUUID(), 'pessimistic_read')).toBeNull();
    });
  });

  it('locks the parent exclusively and leaves the child free for the caller to lock next', async () => {
    await ds.transaction(async (em) => {
      await lockParentOf(em, AccountEntity, RequestEntity, 'programId', requestId, 'pessimistic_write');
      expect(await otherCanLock('accounts', 'program_id', programId, 'SHARE')).toBe(false);
      expect(await otherCanLock('requests', 'id', requestId, 'UPDATE')).toBe(true);
    });
    expect(await otherCanLock('accounts', 'program_id', programId, 'UPDATE')).toBe(true);
  });

  it('shares the parent in read mode: others may share it, nobody may take it exclusively', async () => {
    await ds.transaction(async (em) => {
      await lockParentOf(em, AccountEntity, RequestEntity, 'programId', requestId, 'pessimistic_read');
      expect(await otherCanLock('accounts', 'program_id', programId, 'SHARE')).toBe(true);
      expect(await otherCanLock('accounts', 'program_id', programId, 'UPDATE')).toBe(false);
    });
  });
});
