import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import type { Actor } from '#libs/contracts';
import { buildChain, envelopeFixture } from './ledger-entry.fixtures.js';
import {
  chainEntry,
  GENESIS_HASH,
  hashEntry,
  toLedgerEntryContent,
  type LedgerEntryContent,
} from './ledger-hash.js';

const recordedAt = new Date('2025-03-04T05:06:07.891Z');
const content = (): LedgerEntryContent => toLedgerEntryContent(envelopeFixture(3), 42, recordedAt);

/** The same object with its keys, and nested keys, inserted in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

/** Another value for a field: numbers +1, strings a new last byte, objects one more key, null a string. */
function altered(value: unknown): unknown {
  if (value === null) return 'x';
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string') return value.slice(0, -1) + '#';
  return { ...(value as object), extra: 1 };
}

describe('ledger hash', () => {
  it('starts the chain from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('is SHA-256 over the RFC 8785 canonical JSON of the content and prevHash', () => {
    const small: LedgerEntryContent = {
      seq: 1,
      eventId: 'e',
      type: 'program.drafted',
      version: 1,
      source: 'proposals',
      sourceSeq: 1,
      aggregateType: 'program',
      aggregateId: 'p',
      aggregateVersion: 1,
      occurredAt: '2025-01-01T00:00:00.000Z',
      recordedAt: '2025-01-01T00:00:00.001Z',
      actor: { id: 'u', roles: ['grant_manager'] },
      correlationId: 'c',
      causationId: null,
      payload: { z: 1.5, a: 'é', m: [2, 1] },
    };
    const canonical =
      '{"actor":{"id":"u","roles":["grant_manager"]},"aggregateId":"p","aggregateType":"program",' +
      '"aggregateVersion":1,"causationId":null,"correlationId":"c","eventId":"e",' +
      '"occurredAt":"2025-01-01T00:00:00.000Z","payload":{"a":"é","m":[2,1],"z":1.5},' +
      `"prevHash":"${GENESIS_HASH}","recordedAt":"2025-01-01T00:00:00.001Z","seq":1,"source":"proposals",` +
      '"sourceSeq":1,"type":"program.drafted","version":1}';

    expect(hashEntry(small, GENESIS_HASH)).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
  });

  it('equals SHA-256 of canonicalize({ ...content, prevHash }) for any actor, payload and strings', () => {
    const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    fc.assert(
      fc.property(
        fc.record({
          eventId: fc.string(),
          type: fc.string(),
          aggregateId: fc.string({ unit: 'binary' }),
          sourceSeq: fc.nat(),
          causationId: fc.option(fc.string(), { nil: null }),
          actor: fc.record(
            { id: fc.string(), name: fc.string(), roles: fc.constant<Actor['roles']>(['auditor']), org: fc.string() },
            { requiredKeys: ['id', 'roles'] },
          ),
          payload: fc.option(fc.jsonValue(), { nil: undefined }),
        }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        (fields, prevHash) => {
          const entry = { ...content(), ...fields };
          expect(hashEntry(entry, prevHash)).toBe(sha256(canonicalize({ ...entry, prevHash })!));
        },
      ),
    );
  });

  it('equals it, or refuses as it does, for any value at all as payload', () => {
    const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const outcome = (compute: () => string) => {
      try {
        return compute();
      } catch (err) {
        return `refused: ${(err as Error).message}`;
      }
    };
    const anything = fc.anything({
      key: fc.string({ unit: 'binary' }),
      values: [fc.string({ unit: 'binary' }), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined)],
      withBoxedValues: true,
      withNullPrototype: true,
      withSparseArray: true,
      withDate: true,
      withMap: true,
      withObjectString: true,
      maxDepth: 4,
    });
    fc.assert(
      fc.property(anything, (payload) => {
        const entry = { ...content(), payload };
        const expected = outcome(() => sha256(canonicalize({ ...entry, prevHash: GENESIS_HASH })!));
        expect(outcome(() => hashEntry(entry, GENESIS_HASH))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what canonicalize refuses inside a payload: lone surrogates (in keys too), NaN, Infinity, cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    for (const payload of [{ a: ['\ud800'] }, { ['\udc00']: 1 }, { n: [NaN] }, { n: { m: -Infinity } }, cyclic]) {
      expect(() => hashEntry({ ...content(), payload }, GENESIS_HASH)).toThrow();
    }
  });

  it('does not depend on key order, at any depth', () => {
    const reordered = reversedKeys(content()) as LedgerEntryContent;
    expect(Object.keys(reordered)[0]).toBe('payload');

    expect(hashEntry(reordered, GENESIS_HASH)).toBe(hashEntry(content(), GENESIS_HASH));
  });

  it('ignores properties that are not ledger content, such as a row id or the stored hash', () => {
    const row = { ...content(), id: 'row-7', hash: 'f'.repeat(64) };

    expect(hashEntry(row, GENESIS_HASH)).toBe(hashEntry(content(), GENESIS_HASH));
  });

  it.each(Object.keys(content()) as Array<keyof LedgerEntryContent>)('changes when %s changes', (field) => {
    const changed = { ...content(), [field]: altered(content()[field]) };

    expect(hashEntry(changed, GENESIS_HASH)).not.toBe(hashEntry(content(), GENESIS_HASH));
  });

  it('changes with a single byte of the payload or of prevHash', () => {
    const base = content();
    const payload = base.payload as { purpose: string };
    const oneByteOff = { ...base, payload: { ...payload, purpose: payload.purpose.replace('S', 's') } };

    expect(hashEntry(oneByteOff, GENESIS_HASH)).not.toBe(hashEntry(base, GENESIS_HASH));
    expect(hashEntry(base, '0'.repeat(63) + '1')).not.toBe(hashEntry(base, GENESIS_HASH));
  });

  it('records recordedAt with millisecond precision, so a timestamptz round trip keeps the hash', () => {
    const entry = content();

    expect(entry.recordedAt).toBe('2025-03-04T05:06:07.891Z');
    expect(new Date(entry.recordedAt).toISOString()).toBe(entry.recordedAt);
  });

  it('builds the content from every envelope field plus seq and recordedAt', () => {
    const envelope = envelopeFixture(3);

    expect(toLedgerEntryContent(envelope, 42, recordedAt)).toEqual({
      ...envelope,
      seq: 42,
      recordedAt: '2025-03-04T05:06:07.891Z',
    });
  });

  it('links each entry to the hash of the one before', () => {
    const [first, second] = buildChain(2);

    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(hashEntry(second, first.hash));
    expect(chainEntry({ ...second, hash: 'x' } as never, first.hash)).toEqual(second);
  });
});
