import { ValidationError } from '#libs/core';

/** The real length of a day; `dayMs` (configuration `DAY_MS`) defaults to it. */
export const DEFAULT_DAY_MS = 86_400_000;
/** Calendar dates are always counted in real days, whatever `dayMs` is. */
const CALENDAR_DAY_MS = 86_400_000;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Throws unless `dayMs` is a usable length of a day (a positive whole number of milliseconds). */
export function assertDayMs(dayMs: number): void {
  if (!Number.isSafeInteger(dayMs) || dayMs < 1) {
    throw new ValidationError('dayMs must be a positive whole number of milliseconds', [
      { field: 'dayMs', problems: ['must be a positive whole number'] },
    ]);
  }
}

/** `at` plus `days` days on the configured clock. */
export function addDays(at: Date, days: number, dayMs: number): Date {
  assertDayMs(dayMs);
  return new Date(at.getTime() + days * dayMs);
}

/** Whole days from `from` to `to` on the configured clock, rounding off sub-day drift. */
export function daysBetween(from: Date, to: Date, dayMs: number): number {
  assertDayMs(dayMs);
  return Math.round((to.getTime() - from.getTime()) / dayMs);
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; `field` names it in the 400 if it is not a real date. */
export function calendarDay(value: string, field: string): number {
  const ms = typeof value === 'string' && DATE_PATTERN.test(value) ? Date.parse(`${value}T00:00:00.000Z`) : NaN;
  // Date.parse rolls 2027-02-30 over to March, so a real date must print back as itself.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${field} must be a date YYYY-MM-DD`, [{ field, problems: ['must be a date YYYY-MM-DD'] }]);
  }
  return ms / CALENDAR_DAY_MS;
}

/** Days since 1970-01-01 of the UTC calendar date of an instant. */
export function calendarDayOf(at: Date): number {
  return Math.floor(at.getTime() / CALENDAR_DAY_MS);
}
