import { ValidationError } from '#libs/core';
import { generateDevKeyPair, signCheckpoint, type SignedCheckpoint } from '../domain/checkpoint-signer.js';
import { toNdjsonLine } from '../domain/export-format.js';
import { buildChain, rehash } from '../domain/ledger-entry.fixtures.js';
import { toStoredEntry, type LedgerEntry } from '../domain/ledger-hash.js';
import { verifyExport, type ExportVerificationOptions } from './verify-export.js';

const CHAIN = buildChain(200);
const at = (seq: number) => CHAIN[seq - 1];
const KEYS = generateDevKeyPair('verify-export-spec');
const signed = (seq: number, keys = KEYS): SignedCheckpoint => signCheckpoint(at(seq), keys.privateKeyPem, new Date(Date.UTC(2025, 1, 1)));
const anchor = (seq: number) => ({ seq, hash: at(seq).hash });

/** The export of `entries` exactly as GET /audit/export writes it, read back line by line. */
async function* exported(entries: LedgerEntry[], extraLines: string[] = []): AsyncGenerator<string> {
  const text = entries.map((e) => toNdjsonLine(toStoredEntry(e))).join('') + extraLines.map((l) => `${l}\n`).join('');
  yield* text.split('\n');
}

const verify = (entries: LedgerEntry[], options: ExportVerificationOptions = {}) => verifyExport(exported(entries), options);
const withKey = (checkpoints: SignedCheckpoint[]) => ({ checkpoints, publicKeyPem: KEYS.publicKeyPem });

describe('verifyExport', () => {
  it('accepts a whole export, checked against anchors and signed checkpoints, and names the key it used', async () => {
    expect(await verify(CHAIN, { anchors: [anchor(50), anchor(200)], ...withKey([signed(100), signed(200)]) })).toEqual({
      valid: true,
      checked: 200,
      fromSeq: 1,
      headSeq: 200,
      headHash: at(200).hash,
      firstInvalidSeq: null,
      reason: null,
      line: null,
      anchors: 2,
      checkpoints: 2,
      checkpointsAfterHead: 0,
      publicKeySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('finds a changed entry at its seq and line', async () => {
    const tampered = [...CHAIN];
    tampered[41] = { ...at(42), payload: { ...(at(42).payload as object), amountCents: 1 } };
    expect(await verify(tampered)).toMatchObject({ valid: false, firstInvalidSeq: 42, reason: 'hash mismatch', line: 42 });
  });

  it('finds a deleted entry and entries out of order', async () => {
    expect(await verify(CHAIN.filter((e) => e.seq !== 120))).toMatchObject({ valid: false, firstInvalidSeq: 120, reason: 'seq gap' });
    const swapped = [...CHAIN];
    [swapped[9], swapped[10]] = [swapped[10], swapped[9]];
    expect(await verify(swapped)).toMatchObject({ valid: false, firstInvalidSeq: 10, reason: 'seq gap', line: 10 });
  });

  it('passes a rewritten chain with fresh hashes unless an anchor or a signed checkpoint saw the original', async () => {
    const rewritten = [...CHAIN.slice(0, 59), ...rehash([{ ...at(60), payload: { forged: true } }, ...CHAIN.slice(60)], at(59).hash)];
    // The file alone cannot tell: every hash and link recomputes.
    expect(await verify(rewritten)).toMatchObject({ valid: true });
    expect(await verify(rewritten, { anchors: [anchor(150)] })).toMatchObject({ valid: false, firstInvalidSeq: 150, reason: 'checkpoint mismatch' });
    expect(await verify(rewritten, withKey([signed(40), signed(100)]))).toMatchObject({ valid: false, firstInvalidSeq: 100, reason: 'checkpoint mismatch' });
  });

  it('refuses a checkpoint whose signature fails, and one signed with another key', async () => {
    const forged = { ...signed(100), hash: 'f'.repeat(64) };
    expect(await verify(CHAIN, withKey([signed(50), forged]))).toMatchObject({ valid: false, firstInvalidSeq: 100, reason: 'checkpoint signature invalid', line: null });
    const otherKey = signed(30, generateDevKeyPair('someone else'));
    expect(await verify(CHAIN, withKey([otherKey]))).toMatchObject({ valid: false, firstInvalidSeq: 30, reason: 'checkpoint signature invalid', checkpoints: 0 });
  });

  it('calls an export cut short truncated only against an anchor above it: later checkpoints are only newer', async () => {
    const first150 = CHAIN.slice(0, 150);
    expect(await verify(first150, { anchors: [anchor(180)] })).toMatchObject({ valid: false, firstInvalidSeq: 151, reason: 'truncated' });
    expect(await verify(first150, withKey([signed(100), signed(180)]))).toMatchObject({ valid: true, checkpoints: 1, checkpointsAfterHead: 1 });
  });

  it('checks an export taken from a later seq from the anchor or checkpoint just before it', async () => {
    const tail = CHAIN.slice(100);
    expect(await verify(tail, withKey([signed(100)]))).toMatchObject({ valid: true, fromSeq: 101, checked: 100, checkpoints: 1 });
    const forgedStart = rehash([{ ...at(101), payload: { forged: true } }, ...CHAIN.slice(101)], 'e'.repeat(64));
    expect(await verify(forgedStart, { anchors: [anchor(100)] })).toMatchObject({ valid: false, firstInvalidSeq: 101, reason: 'prevHash mismatch' });
    // With nothing before it, the first entry's link is taken as it stands.
    expect(await verify(forgedStart)).toMatchObject({ valid: true, fromSeq: 101 });
    await expect(verify(tail, { anchors: [anchor(20)] })).rejects.toThrow(ValidationError);
  });

  it('reports a line that is not an exported entry', async () => {
    for (const bad of ['not json', '[1,2]', '{"seq":"7"}', JSON.stringify({ ...toStoredEntry(at(151)), hash: 'short' })]) {
      const report = await verifyExport(exported(CHAIN.slice(0, 150), [bad]));
      expect(report).toMatchObject({ valid: false, firstInvalidSeq: 151, reason: 'malformed entry', line: 151 });
    }
  });

  it('needs the public key to trust checkpoints', async () => {
    await expect(verify(CHAIN, { checkpoints: [signed(10)] })).rejects.toThrow('public key');
  });
});
