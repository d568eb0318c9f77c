import { ValidationError } from '#libs/core';
import { decodeCursor, type CursorPosition } from '#libs/persistence';

/** The position a `?cursor=` names; one this service never issued is the caller's 400, not page one. */
export function cursorPosition(cursor: string | undefined): CursorPosition | null {
  const position = decodeCursor(cursor);
  if (cursor && !position) {
    const problems = ['cursor is not one this list issued'];
    throw new ValidationError('Invalid request: cursor', [{ field: 'cursor', problems }]);
  }
  return position;
}
