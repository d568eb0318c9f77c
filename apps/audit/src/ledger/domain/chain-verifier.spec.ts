import { ValidationError } from '#libs/core';
import { ChainVerifier, type ChainCheckpoint } from './chain-verifier.js';
import { buildChain, rehash } from './ledger-entry.fixtures.js';
import { chainEntry, GENESIS_HASH, toStoredEntry, type LedgerEntry } from './ledger-hash.js';

const CHAIN = buildChain(1000);
const at = (seq: number) => CHAIN[seq - 1];

function verify(entries: LedgerEntry[], checkpoints: ChainCheckpoint[] = []) {
  const verifier = new ChainVerifier(checkpoints);
  for (const entry of entries) verifier.push(toStoredEntry(entry));
  return verifier.result();
}

describe('ChainVerifier', () => {
  it('accepts a valid chain of 1,000 entries and reports its head', () => {
    expect(verify(CHAIN)).toEqual({
      valid: true,
      checked: 1000,
      headSeq: 1000,
      headHash: at(1000).hash,
      firstInvalidSeq: null,
      reason: null,
    });
  });

  it('accepts an empty ledger, whose head is the genesis hash', () => {
    expect(verify([])).toEqual({
      valid: true,
      checked: 0,
      headSeq: 0,
      headHash: GENESIS_HASH,
      firstInvalidSeq: null,
      reason: null,
    });
  });

  it('finds a changed payload byte at that entry', () => {
    const tampered = [...CHAIN];
    const payload = at(500).payload as { amountCents: number };
    tampered[499] = { ...at(500), payload: { ...payload, amountCents: payload.amountCents + 1 } };

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 500, reason: 'hash mismatch' });
  });

  it('finds a changed entry whose own hash was recomputed, at the next entry', () => {
    const tampered = [...CHAIN];
    tampered[499] = chainEntry({ ...at(500), payload: { forged: true } }, at(499).hash);

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 501, reason: 'prevHash mismatch' });
  });

  it('finds a deleted middle entry at its seq', () => {
    const tampered = CHAIN.filter((entry) => entry.seq !== 500);

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 500, reason: 'seq gap' });
  });

  it('finds a deleted middle entry after which the seqs were closed up', () => {
    const tampered = [...CHAIN.slice(0, 499), ...CHAIN.slice(500).map((entry) => ({ ...entry, seq: entry.seq - 1 }))];

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 500, reason: 'hash mismatch' });
  });

  it('finds two entries swapped in place (seqs kept) at the first of them', () => {
    const tampered = [...CHAIN];
    tampered[499] = { ...at(501), seq: 500 };
    tampered[500] = { ...at(500), seq: 501 };

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 500, reason: 'hash mismatch' });
  });

  it('finds two entries delivered in swapped order at the first seq out of place', () => {
    const tampered = [...CHAIN];
    tampered[499] = at(501);
    tampered[500] = at(500);

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 500 });
  });

  it('finds a repeated seq', () => {
    const tampered = [...CHAIN.slice(0, 500), at(500), ...CHAIN.slice(500)];

    expect(verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 501, reason: 'seq out of order' });
  });

  it('finds a truncated tail against a checkpoint, at the first missing seq', () => {
    const checkpoint = { seq: 1000, hash: at(1000).hash };

    expect(verify(CHAIN.slice(0, 990), [checkpoint])).toEqual({
      valid: false,
      checked: 990,
      headSeq: 990,
      headHash: at(990).hash,
      firstInvalidSeq: 991,
      reason: 'truncated',
    });
  });

  it('cannot see a truncated tail without a checkpoint beyond it', () => {
    expect(verify(CHAIN.slice(0, 990), [{ seq: 900, hash: at(900).hash }])).toMatchObject({ valid: true });
  });

  it('finds a chain rewritten with fresh hashes at the checkpoint it no longer matches', () => {
    const rewritten = [...CHAIN.slice(0, 499), ...rehash(CHAIN.slice(500).map((e) => ({ ...e, seq: e.seq - 1 })), at(499).hash)];
    const checkpoints = [
      { seq: 800, hash: at(800).hash },
      { seq: 200, hash: at(200).hash },
    ];

    expect(verify(rewritten)).toMatchObject({ valid: true });
    expect(verify(rewritten, checkpoints)).toMatchObject({
      valid: false,
      firstInvalidSeq: 800,
      reason: 'checkpoint mismatch',
    });
  });

  it('accepts every checkpoint the chain matches, in any order', () => {
    const checkpoints = [1000, 1, 500, 500].map((seq) => ({ seq, hash: at(seq).hash }));

    expect(verify(CHAIN, checkpoints)).toMatchObject({ valid: true, firstInvalidSeq: null });
  });

  it('reports the first failure only, and keeps tracking the head after it', () => {
    const tampered = CHAIN.filter((entry) => entry.seq !== 300 && entry.seq !== 600);
    const verifier = new ChainVerifier();

    const pushed = tampered.map((entry) => verifier.push(toStoredEntry(entry)));

    expect(pushed.indexOf(false)).toBe(299);
    expect(pushed.slice(299).every((ok) => !ok)).toBe(true);
    expect(verifier.result()).toMatchObject({ checked: 998, headSeq: 1000, firstInvalidSeq: 300, reason: 'seq gap' });
  });

  it('refuses a checkpoint that is not at a positive integer seq', () => {
    expect(() => new ChainVerifier([{ seq: 0, hash: GENESIS_HASH }])).toThrow(ValidationError);
    expect(() => new ChainVerifier([{ seq: 1.5, hash: GENESIS_HASH }])).toThrow(ValidationError);
  });
});
