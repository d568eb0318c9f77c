import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Actor, EventEnvelope } from '#libs/contracts';

/** `prevHash` of entry 1: there is no entry 0. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What a ledger entry's hash covers: every envelope field, the ledger `seq` and `recordedAt`.
 * Timestamps are ISO strings exactly as stored, so the hash recomputes from the row as read.
 */
export type LedgerEntryContent = {
  seq: number;
  eventId: string;
  type: string;
  version: number;
  source: EventEnvelope['source'];
  sourceSeq: number;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  recordedAt: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  payload: unknown;
};

export type LedgerEntry = LedgerEntryContent & { prevHash: string; hash: string };

// A Record over the keys makes the compiler insist that every content field is listed, once.
const CONTENT_FIELDS = Object.keys({
  seq: true,
  eventId: true,
  type: true,
  version: true,
  source: true,
  sourceSeq: true,
  aggregateType: true,
  aggregateId: true,
  aggregateVersion: true,
  occurredAt: true,
  recordedAt: true,
  actor: true,
  correlationId: true,
  causationId: true,
  payload: true,
} satisfies Record<keyof LedgerEntryContent, true>) as ReadonlyArray<keyof LedgerEntryContent>;

/** Exactly the content fields of `from`, in a fixed order: extra properties of a row never leak in. */
export function pickLedgerContent(from: LedgerEntryContent): LedgerEntryContent {
  const content: Partial<Record<keyof LedgerEntryContent, unknown>> = {};
  for (const field of CONTENT_FIELDS) content[field] = from[field];
  return content as LedgerEntryContent;
}

/**
 * The content of the entry that records `envelope` at `seq`. `recordedAt` is cut to milliseconds
 * (toISOString) so it survives a Postgres timestamptz round trip unchanged.
 */
export function toLedgerEntryContent(envelope: EventEnvelope, seq: number, recordedAt: Date): LedgerEntryContent {
  return pickLedgerContent({ ...envelope, seq, recordedAt: recordedAt.toISOString() });
}

/** A JSON member: its key and the `"key":` that precedes its value. */
type Member = { key: keyof LedgerEntry; prefix: string };
const members = (keys: ReadonlyArray<keyof LedgerEntry>): Member[] => keys.map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));

/**
 * Keys of the hashed object in RFC 8785 order. Array#sort compares UTF-16 code units, which is
 * the order RFC 8785 (and `canonicalize`) uses, so the order is derived rather than written out.
 */
const HASHED_MEMBERS = members([...CONTENT_FIELDS, 'prevHash' as const].sort());
/** An exported entry's members: the content in its fixed order, then the two hashes. */
const EXPORTED_MEMBERS = members([...CONTENT_FIELDS, 'prevHash', 'hash']);

/**
 * Content as the ledger stores it: actor and payload as their RFC 8785 JSON text, the exact bytes
 * their part of the hash covers. The verifier hashes the stored text as it is, without parsing
 * and re-serializing the two objects (most of its work per entry otherwise).
 */
export type StoredLedgerContent = Omit<LedgerEntryContent, 'actor' | 'payload'> & { actor: string; payload: string };
export type StoredLedgerEntry = StoredLedgerContent & { prevHash: string; hash: string };

/** The RFC 8785 text of an entry's actor and payload. */
export function toStoredEntry(entry: LedgerEntry): StoredLedgerEntry {
  return { ...entry, actor: canonicalize(entry.actor) as string, payload: canonicalize(entry.payload) as string };
}

/** The entry a stored row holds, actor and payload parsed. */
export function fromStoredEntry(stored: StoredLedgerEntry): LedgerEntry {
  return { ...stored, actor: JSON.parse(stored.actor) as Actor, payload: JSON.parse(stored.payload) as unknown };
}

/**
 * A JSON object of the given members of a stored entry, in their order: actor and payload spliced
 * in as the canonical text they are, the other (scalar) members in RFC 8785 form, which for
 * strings and numbers is also JSON.stringify's. Members without a JSON value are left out.
 */
function storedJson(entry: Partial<StoredLedgerEntry>, of: readonly Member[]): string {
  let json = '{';
  for (const { key, prefix } of of) {
    const value = entry[key];
    if (value === undefined) continue;
    json += (json.length > 1 ? ',' : '') + prefix + (key === 'actor' || key === 'payload' ? (value as string) : canonicalize(value));
  }
  return json + '}';
}

/**
 * SHA-256 (hex) over the RFC 8785 canonical JSON of the content fields and `prevHash`: the bytes
 * of canonicalize({ ...content, prevHash }), built from stored content. The top level, whose keys
 * are fixed, is assembled from the pre-sorted keys, without a sort or a copy per entry.
 */
export function hashStoredEntry(entry: StoredLedgerContent & { prevHash: string }): string {
  // One-shot hash (Node >= 20.12): half the cost of createHash().update().digest() per entry.
  return hash('sha256', storedJson(entry, HASHED_MEMBERS), 'hex');
}

/** The same hash from content whose actor and payload are objects. */
export function hashEntry(content: LedgerEntryContent, prevHash: string): string {
  return hashStoredEntry({ ...content, actor: canonicalize(content.actor) as string, payload: canonicalize(content.payload) as string, prevHash });
}

/**
 * A stored entry as one JSON object, fields in a fixed order: everything the hash covers plus the
 * hashes, so an export can be re-verified offline; whatever else a row carries stays out.
 */
export function storedEntryJson(entry: StoredLedgerEntry): string {
  return storedJson(entry, EXPORTED_MEMBERS);
}

/** The entry that appends `content` after the entry whose hash is `prevHash`. */
export function chainEntry(content: LedgerEntryContent, prevHash: string): LedgerEntry {
  const picked = pickLedgerContent(content);
  return { ...picked, prevHash, hash: hashEntry(picked, prevHash) };
}
