import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationError } from '#libs/core';

/** Opaque cursors for keyset pagination over (sortKey, id). */
export interface CursorPosition {
  k: string | number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The position a `?cursor=` names, or null for the first page. A cursor no list issued is the
 * caller's 400 naming `cursor`: never a silent first page, never a database error.
 */
export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (parsed && (typeof parsed.k === 'string' || Number.isFinite(parsed.k)) && typeof parsed.id === 'string' && UUID.test(parsed.id)) {
      return parsed;
    }
  } catch {
    // fall through to the refusal
  }
  throw new ValidationError('Invalid request: cursor', [{ field: 'cursor', problems: ['is not a cursor this list issued'] }]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Given `limit + 1` rows, returns the page and the cursor of its last item when more follow. */
export function toPage<T>(rows: T[], limit: number, position: (row: T) => CursorPosition): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more && items.length ? encodeCursor(position(items[items.length - 1])) : null };
}

/**
 * One page of a list keyed by a uuid v7 column, newest first (the filters are on `qb` already):
 * `limit` rows after the cursor's id, and the cursor of the last when more follow.
 */
export async function newestFirstPage<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  idColumn: string,
  f: { limit: number; cursor?: string },
  idOf: (row: E) => string,
): Promise<Page<E>> {
  const after = decodeCursor(f.cursor);
  qb.orderBy(idColumn, 'DESC');
  if (after) qb.andWhere(`${idColumn} < :after`, { after: after.id });
  const rows = await qb.limit(f.limit + 1).getMany();
  return toPage(rows, f.limit, (row) => ({ k: idOf(row), id: idOf(row) }));
}
