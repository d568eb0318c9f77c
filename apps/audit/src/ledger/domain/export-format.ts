import type { Actor } from '#libs/contracts';
import { storedEntryJson, type StoredLedgerEntry } from './ledger-hash.js';

type CsvValue = string | number | null;

/** Column name and value, in export order: the header and every row come from this one list. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (entry: StoredLedgerEntry, actor: Actor) => CsvValue]> = [
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
  ['actorId', (_, actor) => actor.id],
  ['actorRoles', (_, actor) => actor.roles.join('|')],
  ['correlationId', (e) => e.correlationId],
  ['causationId', (e) => e.causationId],
  ['payload', (e) => e.payload],
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

export function toCsvRow(entry: StoredLedgerEntry): string {
  const actor = JSON.parse(entry.actor) as Actor;
  return CSV_COLUMNS.map(([, value]) => csvField(value(entry, actor))).join(',') + CRLF;
}

/** One stored entry as a JSON line (see storedEntryJson). */
export function toNdjsonLine(entry: StoredLedgerEntry): string {
  return storedEntryJson(entry) + '\n';
}
