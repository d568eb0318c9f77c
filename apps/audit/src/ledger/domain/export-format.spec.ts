import { CSV_HEADER, toCsvRow, toNdjsonLine } from './export-format.js';
import { buildChain } from './ledger-entry.fixtures.js';
import { GENESIS_HASH, hashEntry, toStoredEntry, type LedgerEntry, type StoredLedgerEntry } from './ledger-hash.js';

const [entry] = buildChain(1);

describe('CSV export', () => {
  it('has a header with the agreed columns, CRLF-terminated', () => {
    expect(CSV_HEADER).toBe(
      'seq,eventId,type,source,sourceSeq,aggregateType,aggregateId,aggregateVersion,occurredAt,recordedAt,' +
        'actorId,actorRoles,correlationId,causationId,payload,prevHash,hash\r\n',
    );
  });

  it('writes one row per entry: roles joined by |, payload as JSON, a null as an empty field', () => {
    const row = toCsvRow(toStoredEntry({
      ...entry,
      aggregateId: 'agg-1',
      actor: { id: 'u-1', roles: ['reviewer', 'auditor'] },
      causationId: null,
      payload: { n: 1 },
    }));

    expect(row).toBe(
      `1,${entry.eventId},disbursement.requested,disbursements,1,disbursement,agg-1,1,` +
        `${entry.occurredAt},${entry.recordedAt},u-1,reviewer|auditor,corr-1,,` +
        `"{""n"":1}",${GENESIS_HASH},${entry.hash}\r\n`,
    );
  });

  it('quotes fields with quotes, commas or line breaks, doubling the quotes (RFC 4180)', () => {
    const row = toCsvRow(toStoredEntry({
      ...entry,
      aggregateId: 'a,b',
      correlationId: 'line1\nline2',
      causationId: 'cr\rlf',
      actor: { id: 'say "hi"', roles: ['admin'] },
      payload: { note: 'x' },
    }));

    expect(row).toContain(',"a,b",');
    expect(row).toContain(',"say ""hi""",admin,"line1\nline2","cr\rlf","{""note"":""x""}",');
    expect(row.endsWith(`,${entry.hash}\r\n`)).toBe(true);
  });
});

describe('NDJSON export', () => {
  it('writes one line per entry that parses back to the entry and still verifies', () => {
    const withNewlines: LedgerEntry = { ...entry, payload: { note: 'two\nlines' } };
    const line = toNdjsonLine(toStoredEntry(withNewlines));
    const parsed = JSON.parse(line) as LedgerEntry;

    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(parsed).toEqual(withNewlines);
    expect(hashEntry(parsed, parsed.prevHash)).toBe(hashEntry(withNewlines, withNewlines.prevHash));
    expect(hashEntry(JSON.parse(toNdjsonLine(toStoredEntry(entry))), GENESIS_HASH)).toBe(entry.hash);
  });

  it('leaves out properties of a row that are not part of the entry', () => {
    const line = toNdjsonLine({ ...toStoredEntry(entry), id: 99 } as StoredLedgerEntry);

    expect(Object.keys(JSON.parse(line))).toEqual([
      'seq',
      'eventId',
      'type',
      'version',
      'source',
      'sourceSeq',
      'aggregateType',
      'aggregateId',
      'aggregateVersion',
      'occurredAt',
      'recordedAt',
      'actor',
      'correlationId',
      'causationId',
      'payload',
      'prevHash',
      'hash',
    ]);
  });
});
