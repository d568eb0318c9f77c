import { QueryFailedError } from 'typeorm';

/** Whether Postgres refused a write for breaking a unique constraint (that one, when named). */
export function violatesUnique(err: unknown, constraint?: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = err.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (constraint === undefined || driverError.constraint === constraint);
}
