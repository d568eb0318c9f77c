const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });
const month = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Money travels as integer cents; only the display divides. */
export function formatUsd(cents: number | null | undefined): string {
  return typeof cents === 'number' ? usd.format(cents / 100) : '—';
}

/** "1,234.5" → 123450 cents, without floating point; null when the text is not an amount. */
export function parseUsdToCents(text: string): number | null {
  const match = /^\s*\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const dollars = Number(match[1].replace(/,/g, ''));
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const total = dollars * 100 + cents;
  return Number.isSafeInteger(total) ? total : null;
}

/** The inverse of parseUsdToCents, for filling a form from stored cents. */
export function centsToInput(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const rest = cents % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, '0')}`;
}

/** Where the times on screen are: this browser's zone, named, with its offset from UTC now. */
export function localTimeZone(now = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = new Intl.DateTimeFormat('en-US', { timeZoneName: 'longOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value;
  if (zone === 'UTC' || zone === 'Etc/UTC' || !offset) return zone;
  return `${zone} (${offset.replace('GMT', 'UTC')})`;
}

function toDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(iso: string | null | undefined): string {
  const date = toDate(iso);
  return date ? dateTime.format(date) : '—';
}

/** Calendar dates (`YYYY-MM-DD`) are shown in UTC so they never shift by a day. */
export function formatDate(iso: string | null | undefined): string {
  const date = toDate(iso);
  return date ? dateOnly.format(date) : '—';
}

export function monthLabel(iso: string): string {
  const date = toDate(iso);
  return date ? month.format(date) : 'No date';
}

export function monthKey(iso: string): string {
  const date = toDate(iso);
  return date ? date.toISOString().slice(0, 7) : '9999-99';
}

export function shortId(value: string | null | undefined): string {
  if (!value) return '—';
  return value.length > 13 ? `${value.slice(0, 8)}…` : value;
}

export function humanize(value: string): string {
  return value.replace(/[_-]+/g, ' ').toLowerCase().replace(/^\w/, (c) => c.toUpperCase());
}
