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

/**
 * Keys of the hashed object in RFC 8785 order. Array#sort compares UTF-16 code units, which is
 * the order RFC 8785 (and `canonicalize`) uses, so the order is derived rather than written out.
 */
const HASHED_MEMBERS = [...CONTENT_FIELDS, 'prevHash' as const]
  .sort()
  .map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));

/**
 * SHA-256 (hex) over the RFC 8785 canonical JSON of the content fields and `prevHash`: the bytes
 * of canonicalize({ ...content, prevHash }). The top level, whose keys are fixed, is assembled
 * from the pre-sorted keys and each value is canonicalized on its own; that skips a key sort
 * and an object copy per entry, which the verifier pays a million times.
 */
export function hashEntry(content: LedgerEntryContent, prevHash: string): string {
  let canonical = '{';
  for (const { key, prefix } of HASHED_MEMBERS) {
    const value = key === 'prevHash' ? prevHash : content[key];
    // RFC 8785 leaves out members whose value has no JSON form, as canonicalize does.
    if (value === undefined) continue;
    canonical += (canonical.length > 1 ? ',' : '') + prefix + canonicalMember(value);
  }
  canonical += '}';
  // One-shot hash (Node >= 20.12): half the cost of createHash().update().digest() per entry.
  return hash('sha256', canonical, 'hex');
}

/**
 * One member value in RFC 8785 form. Members are plain JSON (strings, numbers, and actor and
 * payload as parsed from jsonb), which plainJson serializes without canonicalize's per-call Set
 * (for each nested object too), the garbage that had the verifier spend a third of its time in
 * the collector. Anything else, and anything canonicalize's checks refuse (a lone surrogate, NaN,
 * Infinity), goes through canonicalize itself, so the bytes are always canonicalize's.
 */
function canonicalMember(value: unknown): string {
  return plainJson(value, 0) ?? (canonicalize(value) as string);
}

/** Deeper than this, plainJson gives up: canonicalize then detects a cycle (or just goes on). */
const PLAIN_JSON_DEPTH = 64;

/**
 * RFC 8785 form of a plain JSON value: sorted keys (UTF-16 code units, as Array#sort and
 * canonicalize) and JSON.stringify's strings and numbers, which RFC 8785 prescribes once the
 * string is well-formed and the number finite. Undefined when the value is anything else (toJSON,
 * class instances, undefined members, boxed primitives...), whose form canonicalize decides.
 */
function plainJson(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return (value as WellFormedCheckable).isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth > PLAIN_JSON_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = plainJson(value[i], depth + 1);
      if (item === undefined) return undefined;
      out += (i > 0 ? ',' : '') + item;
    }
    return out + ']';
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (!(keys[i] as WellFormedCheckable).isWellFormed()) return undefined;
    const member = plainJson((value as Record<string, unknown>)[keys[i]], depth + 1);
    if (member === undefined) return undefined;
    out += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + member;
  }
  return out + '}';
}

/** ES2024's String#isWellFormed (Node >= 20), which the ES2023 lib does not declare. */
type WellFormedCheckable = string & { isWellFormed(): boolean };

/** The entry that appends `content` after the entry whose hash is `prevHash`. */
export function chainEntry(content: LedgerEntryContent, prevHash: string): LedgerEntry {
  const picked = pickLedgerContent(content);
  return { ...picked, prevHash, hash: hashEntry(picked, prevHash) };
}
