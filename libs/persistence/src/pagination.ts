/** Opaque cursors for keyset pagination over (sortKey, id). */
export interface CursorPosition {
  k: string | number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPosition;
    if (parsed && (typeof parsed.k === 'string' || typeof parsed.k === 'number') && typeof parsed.id === 'string') {
      return parsed;
    }
  } catch {
    // fall through: a malformed cursor is the caller's 400
  }
  return null;
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
