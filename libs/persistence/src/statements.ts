import type { Driver } from 'typeorm/driver/Driver.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** A statement and its parameters ($1…). */
export type Statement = readonly [sql: string, params: unknown[]];

/** Row locks as TypeORM names them: FOR UPDATE and FOR SHARE. */
export type LockMode = 'pessimistic_write' | 'pessimistic_read';

/** Plain column = value conditions, all of which must hold. */
export type RowKey<E> = { [K in keyof E]?: E[K] };

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const tableOf = (metadata: EntityMetadata) => (metadata.schema ? `${quote(metadata.schema)}.${quote(metadata.tableName)}` : quote(metadata.tableName));

/**
 * The statements of the hot paths for one entity, made from TypeORM's metadata (reads and updates
 * kept per shape) with values converted by its driver, as its query builders do. The builders
 * instead rebuild, re-escape and re-parse every statement on every call: about a tenth of each
 * service's CPU under load.
 */
class EntityStatements<E extends ObjectLiteral> {
  private readonly table: string;
  private readonly texts = new Map<string, string>();

  constructor(
    readonly metadata: EntityMetadata,
    private readonly driver: Driver,
  ) {
    this.table = tableOf(metadata);
  }

  update(row: E, where: RowKey<E>): Statement {
    const set = this.columns(Object.keys(row).filter((k) => row[k] !== undefined));
    const by = this.columns(Object.keys(where));
    const sql = this.text(`u:${set.map((c) => c.propertyName)}:${by.map((c) => c.propertyName)}`, () =>
      `UPDATE ${this.table} SET ${set.map((c, i) => `${quote(c.databaseName)} = $${i + 1}`).join(', ')} WHERE ${this.conditions(by, set.length)}`,
    );
    return [sql, [...this.values(set, row), ...this.keyValues(by, where)]];
  }

  /** Every column of each row; one the row leaves undefined takes its DEFAULT, as with TypeORM's insert. */
  insert(rows: E[], orIgnore: boolean): Statement {
    const all = this.metadata.columns;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const cells = all.map((c) => {
        const value = c.getEntityValue(row);
        if (value === undefined) return 'DEFAULT';
        params.push(this.driver.preparePersistentValue(value, c));
        return `$${params.length}`;
      });
      return `(${cells.join(', ')})`;
    });
    const sql = `INSERT INTO ${this.table} (${all.map((c) => quote(c.databaseName)).join(', ')}) VALUES ${tuples.join(', ')}${orIgnore ? ' ON CONFLICT DO NOTHING' : ''}`;
    return [sql, params];
  }

  async findOne(em: EntityManager, where: RowKey<E>, lock?: LockMode): Promise<E | null> {
    const by = this.columns(Object.keys(where));
    return this.selectOne(em, `s:${by.map((c) => c.propertyName)}`, () => this.conditions(by, 0), this.keyValues(by, where), lock);
  }

  /** The row whose `key` is that of the `child` row `childId` (see lockParentOf). */
  findParentOf(em: EntityManager, child: EntityMetadata, key: string, childId: string, lock?: LockMode): Promise<E | null> {
    return this.selectOne(em, `p:${child.name}:${key}`, () => {
      const [parentKey, childKey, childIdColumn] = [this.columns([key])[0], child.findColumnWithPropertyName(key), child.findColumnWithPropertyName('id')];
      if (!childKey || !childIdColumn) throw new Error(`${child.name} has no column ${key} or id`);
      return `${quote(parentKey.databaseName)} = (SELECT ${quote(childKey.databaseName)} FROM ${tableOf(child)} WHERE ${quote(childIdColumn.databaseName)} = $1)`;
    }, [childId], lock);
  }

  /** The row `id` and the `parent` row it belongs to (`parent[key] = row[key]`), in one statement without locks. */
  async findWithParent<P extends ObjectLiteral>(em: EntityManager, parent: EntityStatements<P>, key: string, id: string): Promise<{ row: E; parent: P | null } | null> {
    const sql = this.text(`w:${parent.metadata.name}:${key}`, () => {
      const [childKey, parentKey, idColumn] = [this.columns([key])[0], parent.columns([key])[0], this.columns(['id'])[0]];
      return `SELECT ${this.aliased('c')}, ${parent.aliased('p')} FROM ${this.table} c LEFT JOIN ${parent.table} p
         ON p.${quote(parentKey.databaseName)} = c.${quote(childKey.databaseName)} WHERE c.${quote(idColumn.databaseName)} = $1`;
    });
    const [raw] = (await em.query(sql, [id])) as ObjectLiteral[];
    if (!raw) return null;
    const parentFound = parent.metadata.primaryColumns.every((c) => raw[`p_${c.databaseName}`] !== null);
    return { row: this.hydrate(raw, 'c_'), parent: parentFound ? parent.hydrate(raw, 'p_') : null };
  }

  /**
   * `SELECT 1` of the row matching `where`, locked; with `alsoExists`, only if that statement
   * (parameters from $1) returns a row too. Postgres runs such an uncorrelated EXISTS once, before
   * it reads (and so locks) any row of this table: a lock it takes comes first.
   */
  guard(where: RowKey<E>, lock: LockMode, alsoExists?: Statement): Statement {
    const by = this.columns(Object.keys(where));
    const exists = alsoExists ? ` AND EXISTS (${renumber(alsoExists[0], by.length)})` : '';
    return [`SELECT 1 FROM ${this.table} WHERE ${this.conditions(by, 0)}${exists}${lockClause(lock)}`, [...this.keyValues(by, where), ...(alsoExists?.[1] ?? [])]];
  }

  /** Every column, as `alias_column` so that two tables' columns can share one result row. */
  private aliased(alias: string): string {
    return this.metadata.columns.map((c) => `${alias}.${quote(c.databaseName)} AS ${quote(`${alias}_${c.databaseName}`)}`).join(', ');
  }

  private async selectOne(em: EntityManager, shape: string, where: () => string, params: unknown[], lock?: LockMode): Promise<E | null> {
    const sql = this.text(`${shape}:${lock ?? ''}`, () => {
      return `SELECT ${this.metadata.columns.map((c) => quote(c.databaseName)).join(', ')} FROM ${this.table} WHERE ${where()} LIMIT 1${lockClause(lock)}`;
    });
    const [raw] = (await em.query(sql, params)) as ObjectLiteral[];
    return raw ? this.hydrate(raw) : null;
  }

  private hydrate(raw: ObjectLiteral, prefix = ''): E {
    const entity = this.metadata.create() as E;
    for (const c of this.metadata.columns) c.setEntityValue(entity, this.driver.prepareHydratedValue(raw[`${prefix}${c.databaseName}`], c));
    return entity;
  }

  private columns(properties: string[]): ColumnMetadata[] {
    return properties.map((p) => {
      const column = this.metadata.findColumnWithPropertyName(p);
      if (!column) throw new Error(`${this.metadata.name} has no column ${p}`);
      return column;
    });
  }

  private conditions(by: ColumnMetadata[], offset: number): string {
    return by.map((c, i) => `${quote(c.databaseName)} = $${offset + i + 1}`).join(' AND ');
  }

  private values(columns: ColumnMetadata[], from: ObjectLiteral): unknown[] {
    return columns.map((c) => this.driver.preparePersistentValue(c.getEntityValue(from), c));
  }

  private keyValues(by: ColumnMetadata[], where: ObjectLiteral): unknown[] {
    for (const c of by) {
      const value = c.getEntityValue(where);
      // `= NULL` matches nothing: a key must have a value.
      if (value === null || value === undefined) throw new Error(`${this.metadata.name}.${c.propertyName} is a key here and has no value`);
    }
    return this.values(by, where);
  }

  private text(shape: string, build: () => string): string {
    let sql = this.texts.get(shape);
    if (sql === undefined) this.texts.set(shape, (sql = build()));
    return sql;
  }
}

function lockClause(lock?: LockMode): string {
  return lock === 'pessimistic_write' ? ' FOR UPDATE' : lock === 'pessimistic_read' ? ' FOR SHARE' : '';
}

const statements = new WeakMap<EntityMetadata, EntityStatements<ObjectLiteral>>();

function statementsOf<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>): EntityStatements<E> {
  const metadata = em.connection.getMetadata(target);
  let found = statements.get(metadata);
  if (!found) statements.set(metadata, (found = new EntityStatements(metadata, em.connection.driver)));
  return found as unknown as EntityStatements<E>;
}

/** `UPDATE target SET row's defined columns WHERE where`, without RETURNING (callers add their own). */
export function updateStatement<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, row: E, where: RowKey<E>): Statement {
  return statementsOf(em, target).update(row, where);
}

/** `INSERT INTO target rows`, optionally `ON CONFLICT DO NOTHING`, without RETURNING. */
export function insertStatement<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, rows: E | E[], opts: { orIgnore?: boolean } = {}): Statement {
  return statementsOf(em, target).insert(Array.isArray(rows) ? rows : [rows], opts.orIgnore ?? false);
}

/** The row matching every column = value of `where`, optionally locked for the transaction; null if none. */
export function findRow<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, where: RowKey<E>, lock?: LockMode): Promise<E | null> {
  return statementsOf(em, target).findOne(em, where, lock);
}

/**
 * The `child` row `childId` and the `parent` row it belongs to (`parent[key] = child[key]`), in one
 * statement and without locks; `parent` is null when the child has none, and the whole null when
 * there is no such child. For a command that writes only if both are unchanged since.
 */
export function findWithParent<C extends ObjectLiteral, P extends ObjectLiteral>(
  em: EntityManager,
  child: EntityTarget<C>,
  parent: EntityTarget<P>,
  key: keyof P & keyof C & string,
  childId: string,
): Promise<{ row: C; parent: P | null } | null> {
  return statementsOf(em, child).findWithParent(em, statementsOf(em, parent), key, childId);
}

/**
 * A write's guard (see the outbox's guarded writes): returns a row only if the row matching
 * `where` (its version among the keys, for a row read earlier) is still so, and locks it.
 */
export function rowGuard<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, where: RowKey<E>, lock: LockMode): Statement {
  return statementsOf(em, target).guard(where, lock);
}

/**
 * As rowGuard, for a child row and the parent it belongs to, both as read: locks the parent in
 * `parentLock`, then the child for update, the order lockParentOf keeps.
 */
export function rowAndParentGuard<C extends ObjectLiteral, P extends ObjectLiteral>(
  em: EntityManager,
  child: EntityTarget<C>,
  childWhere: RowKey<C>,
  parent: EntityTarget<P>,
  parentWhere: RowKey<P>,
  parentLock: LockMode,
): Statement {
  return statementsOf(em, child).guard(childWhere, 'pessimistic_write', rowGuard(em, parent, parentWhere, parentLock));
}

/** The statement's parameter references moved past `offset` others, to combine it with statements before it. */
export function renumber(sql: string, offset: number): string {
  return offset === 0 ? sql : sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/**
 * Locks the `parent` row that the `child` row `childId` belongs to (`parent[key] = child[key]`),
 * in one round trip where reading the child's key first takes two. Postgres does not lock rows a
 * sub-select reads, so the caller can lock the child next and keep the order parent, then child.
 * Null when either row is missing.
 */
export function lockParentOf<P extends ObjectLiteral, C extends ObjectLiteral>(
  em: EntityManager,
  parent: EntityTarget<P>,
  child: EntityTarget<C>,
  key: keyof P & keyof C & string,
  childId: string,
  mode: LockMode,
): Promise<P | null> {
  return statementsOf(em, parent).findParentOf(em, em.connection.getMetadata(child), key, childId, mode);
}
