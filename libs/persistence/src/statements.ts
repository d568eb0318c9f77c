import type { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/** A statement and its parameters ($1…), as TypeORM's query builders give them. */
export type Statement = readonly [sql: string, params: unknown[]];

/** `UPDATE target SET row WHERE where`, without RETURNING (callers add their own). */
export function updateStatement<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, row: E, where: FindOptionsWhere<E>): Statement {
  return em
    .createQueryBuilder()
    .update(target)
    .set(row as QueryDeepPartialEntity<E>)
    .where(where)
    .updateEntity(false)
    .getQueryAndParameters();
}

/** `INSERT INTO target rows`, optionally `ON CONFLICT DO NOTHING`, without RETURNING. */
export function insertStatement<E extends ObjectLiteral>(em: EntityManager, target: EntityTarget<E>, rows: E | E[], opts: { orIgnore?: boolean } = {}): Statement {
  const qb = em
    .createQueryBuilder()
    .insert()
    .into(target)
    .values(rows as QueryDeepPartialEntity<E> | QueryDeepPartialEntity<E>[])
    .updateEntity(false);
  return (opts.orIgnore ? qb.orIgnore() : qb).getQueryAndParameters();
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
  mode: 'pessimistic_write' | 'pessimistic_read',
): Promise<P | null> {
  const qb = em.createQueryBuilder(parent, 'parent');
  const keyOfChild = qb.subQuery().select(`child.${key}`).from(child, 'child').where('child.id = :childId').getQuery();
  return qb.where(`parent.${key} = ${keyOfChild}`, { childId }).setLock(mode).getOne();
}
