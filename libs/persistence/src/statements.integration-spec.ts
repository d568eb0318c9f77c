import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { createDatabase, dropDatabase, uniqueName } from '#libs/testing';
import { findRow, findWithParent, insertStatement, lockParentOf, rowAndParentGuard, updateStatement } from './statements.js';

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

/** Whether `client` gets the lock a NOWAIT `select` asks for at once (55P03 when another session holds it). */
async function canLockAtOnce(client: pg.Client, select: string, params: unknown[]): Promise<boolean> {
  await client.query('BEGIN');
  try {
    await client.query(select, params);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return false;
    throw err;
  } finally {
    await client.query('ROLLBACK');
  }
}

interface Doc {
  title: string;
  tags: string[];
}

@Entity({ schema: 'rows', name: 'documents' })
class DocumentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('integer') version!: number;
  @Column('text', { name: 'owned_by', nullable: true }) ownedBy!: string | null;
  @Column('jsonb') body!: Doc;
  @Column('timestamptz', { name: 'changed_at' }) changedAt!: Date;
}

/** The statements built from the metadata, run as the repositories run them (EntityManager.query). */
describe('insertStatement, updateStatement and findRow', () => {
  const database = uniqueName('rows');
  let ds: DataSource;
  let url: string;
  const row = (over: Partial<DocumentEntity> = {}): DocumentEntity => ({
    id: randomUUID(),
    version: 1,
    ownedBy: 'gm-ana',
    body: { title: 'Youth employment', tags: ['GT', 'jobs'] },
    changedAt: new Date('2026-11-29T10:00:00.123Z'),
    ...over,
  });
  const changed = async ([sql, params]: readonly [string, unknown[]]) =>
    ((await ds.manager.query(`WITH w AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM w`, params)) as Array<{ n: number }>)[0].n;

  beforeAll(async () => {
    url = await createDatabase(database);
    ds = await new DataSource({ type: 'postgres', url, entities: [DocumentEntity] }).initialize();
    await ds.query(`CREATE SCHEMA rows;
      CREATE TABLE rows.documents (id uuid PRIMARY KEY, version int NOT NULL, owned_by text, body jsonb NOT NULL, changed_at timestamptz NOT NULL)`);
  });

  afterAll(async () => {
    await ds.destroy();
    await dropDatabase(database);
  });

  it('inserts rows with their column names and types and reads them back as entities', async () => {
    const [first, second] = [row(), row({ ownedBy: undefined, body: { title: "O'Brien \"quoted\"", tags: [] } })];
    expect(await changed(insertStatement(ds.manager, DocumentEntity, [first, second]))).toBe(2);
    const stored = await ds.query('SELECT owned_by, body, changed_at FROM rows.documents WHERE id = $1', [first.id]);
    expect(stored).toEqual([{ owned_by: 'gm-ana', body: first.body, changed_at: first.changedAt }]);

    expect(await findRow(ds.manager, DocumentEntity, { id: first.id })).toEqual(first);
    const read = await findRow(ds.manager, DocumentEntity, { id: second.id });
    // A column the row leaves undefined takes its default (here NULL).
    expect(read).toEqual({ ...second, ownedBy: null });
    expect(read).toBeInstanceOf(DocumentEntity);
    expect(read!.changedAt).toBeInstanceOf(Date);
    expect(await findRow(ds.manager, DocumentEntity, { id: randomUUID() })).toBeNull();
  });

  it('inserts nothing over an existing key when asked to ignore conflicts, and fails otherwise', async () => {
    const first = row();
    await changed(insertStatement(ds.manager, DocumentEntity, first));
    expect(await changed(insertStatement(ds.manager, DocumentEntity, { ...first, version: 9 }, { orIgnore: true }))).toBe(0);
    await expect(changed(insertStatement(ds.manager, DocumentEntity, { ...first, version: 9 }))).rejects.toThrow(/duplicate key/);
    expect((await findRow(ds.manager, DocumentEntity, { id: first.id }))!.version).toBe(1);
  });

  it('updates only the row matching every key (compare and set), leaving columns the row leaves undefined', async () => {
    const first = row();
    await changed(insertStatement(ds.manager, DocumentEntity, first));
    const next = { ...first, version: 2, ownedBy: undefined, body: { title: 'Renamed', tags: ['HN'] } } as unknown as DocumentEntity;
    expect(await changed(updateStatement(ds.manager, DocumentEntity, next, { id: first.id, version: 1 }))).toBe(1);
    // The same compare and set again finds version 2 and changes nothing.
    expect(await changed(updateStatement(ds.manager, DocumentEntity, { ...next, version: 3 }, { id: first.id, version: 1 }))).toBe(0);
    expect(await findRow(ds.manager, DocumentEntity, { id: first.id, version: 2 })).toEqual({ ...first, version: 2, body: next.body });
    expect(await findRow(ds.manager, DocumentEntity, { id: first.id, version: 1 })).toBeNull();
  });

  it('refuses a key without a value rather than match nothing, and a property that is not a column', async () => {
    await expect(findRow(ds.manager, DocumentEntity, { id: undefined })).rejects.toThrow(/DocumentEntity.id is a key here and has no value/);
    await expect(findRow(ds.manager, DocumentEntity, { ownedBy: null })).rejects.toThrow(/DocumentEntity.ownedBy is a key/);
    expect(() => updateStatement(ds.manager, DocumentEntity, { title: 'x' } as unknown as DocumentEntity, { id: randomUUID() })).toThrow(/DocumentEntity has no column title/);
  });

  it('locks the row it finds when asked, until the transaction ends', async () => {
    const first = row();
    await changed(insertStatement(ds.manager, DocumentEntity, first));
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    const otherCanUpdate = () => canLockAtOnce(other, 'SELECT 1 FROM rows.documents WHERE id = $1 FOR UPDATE NOWAIT', [first.id]);
    try {
      await ds.transaction(async (em) => {
        await findRow(em, DocumentEntity, { id: first.id });
        expect(await otherCanUpdate()).toBe(true);
        await findRow(em, DocumentEntity, { id: first.id }, 'pessimistic_read');
        expect(await otherCanUpdate()).toBe(false);
      });
      await ds.transaction(async (em) => {
        await findRow(em, DocumentEntity, { id: first.id }, 'pessimistic_write');
        expect(await otherCanUpdate()).toBe(false);
      });
      expect(await otherCanUpdate()).toBe(true);
    } finally {
      await other.end();
    }
  });
});

/** Against the real server: which rows another session finds locked while the lock is held. */
describe('lockParentOf, findWithParent and rowAndParentGuard', () => {
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

  /** Whether the other session can take `lock` on the row at once. */
  const otherCanLock = (table: 'accounts' | 'requests', column: string, id: string, lock: 'UPDATE' | 'SHARE') =>
    canLockAtOnce(other, `SELECT 1 FROM locks.${table} WHERE ${column} = $1 FOR ${lock} NOWAIT`, [id]);

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

  it('reads a child with its parent in one statement, without locking either', async () => {
    const orphanId = randomUUID();
    await ds.query('INSERT INTO locks.requests VALUES ($1, $2)', [orphanId, randomUUID()]);
    await ds.transaction(async (em) => {
      expect(await findWithParent(em, RequestEntity, AccountEntity, 'programId', requestId)).toEqual({
        row: { id: requestId, programId },
        parent: { programId, balance: 100 },
      });
      expect(await otherCanLock('accounts', 'program_id', programId, 'UPDATE')).toBe(true);
      expect(await otherCanLock('requests', 'id', requestId, 'UPDATE')).toBe(true);
      expect(await findWithParent(em, RequestEntity, AccountEntity, 'programId', orphanId)).toEqual({ row: expect.objectContaining({ id: orphanId }), parent: null });
      expect(await findWithParent(em, RequestEntity, AccountEntity, 'programId', randomUUID())).toBeNull();
    });
  });

  it('guards a child and its parent as read: a row only while both are unchanged, with the parent shared and the child locked', async () => {
    const guard = (balance: number) => rowAndParentGuard(ds.manager, RequestEntity, { id: requestId, programId }, AccountEntity, { programId, balance }, 'pessimistic_read');
    await ds.transaction(async (em) => {
      expect(await em.query(...guard(100))).toHaveLength(1);
      expect(await otherCanLock('accounts', 'program_id', programId, 'SHARE')).toBe(true);
      expect(await otherCanLock('accounts', 'program_id', programId, 'UPDATE')).toBe(false);
      expect(await otherCanLock('requests', 'id', requestId, 'SHARE')).toBe(false);
    });
    expect(await ds.query(...guard(99))).toHaveLength(0);
  });
});
