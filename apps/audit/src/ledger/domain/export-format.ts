import { pickLedgerContent, type LedgerEntry } from './ledger-hash.js';

type CsvValue = string | number | null;

/** Column name and value, in export order: the header and every row come from this one list. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (entry: LedgerEntry) => CsvValue]> = [
  ['seq', (e) => e.seq],
  ['eventId', (e) => e.eventId],
  ['type', (e) => e.type],
  ['source', (e) => e.source],
  ['sourceSeq', (e) => e.sourceSeq],
  ['aggregateType', (e) => e.aggregateType],
  ['aggregateId', (e) => e.aggregateId],
  ['aggregateVersion', (e) => e.aggregateVersion],
  ['occurredAt', (e) => e.occurredAt],
  ['recordedAt', (e) => e.recordedAt],
  ['actorId', (e) => e.actor.id],
  ['actorRoles', (e) => e.actor.roles.join('|')],
  ['correlationId', (e) => e.correlationId],
  ['causationId', (e) => e.causationId],
  ['payload', (e) => JSON.stringify(e.payload) ?? null],
  ['prevHash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];

/** RFC 4180 lines end in CRLF. */
const CRLF = '\r\n';

export const CSV_HEADER = CSV_COLUMNS.map(([name]) => name).join(',') + CRLF;

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field with a quote, comma or line break is quoted, its quotes doubled; null is empty. */
function csvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsvRow(entry: LedgerEntry): string {
  return CSV_COLUMNS.map(([, value]) => csvField(value(entry))).join(',') + CRLF;
}

/**
 * One entry as a JSON line, fields in a fixed order. It holds everything the hash covers, so an
 * export can be re-verified offline; whatever else a row carries stays out.
 */
export function toNdjsonLine(entry: LedgerEntry): string {
  return JSON.stringify({ ...pickLedgerContent(entry), prevHash: entry.prevHash, hash: entry.hash }) + '\n';
}
