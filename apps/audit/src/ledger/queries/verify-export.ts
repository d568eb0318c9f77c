import { createHash, createPublicKey } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '#libs/core';
import { ChainVerifier, type ChainCheckpoint, type ChainFailureReason } from '../domain/chain-verifier.js';
import { verifyCheckpoint, type SignedCheckpoint } from '../domain/checkpoint-signer.js';
import { GENESIS_HASH, type StoredLedgerEntry } from '../domain/ledger-hash.js';

export interface ExportVerificationOptions {
  /** Heads the auditor took earlier (GET /audit/head) and kept elsewhere: each must be in the export. */
  anchors?: ChainCheckpoint[];
  /** Signed checkpoints (GET /audit/checkpoints), trusted only through `publicKeyPem`. */
  checkpoints?: SignedCheckpoint[];
  publicKeyPem?: string;
}

export interface ExportVerificationReport {
  valid: boolean;
  checked: number;
  /** The first entry's seq: an export from seq 1 is checked from the genesis hash. */
  fromSeq: number | null;
  headSeq: number;
  headHash: string;
  firstInvalidSeq: number | null;
  reason: ChainFailureReason | 'malformed entry' | 'checkpoint signature invalid' | null;
  /** The line of the export where verification failed. */
  line: number | null;
  anchors: number;
  /** Correctly signed checkpoints the export was checked against. */
  checkpoints: number;
  /** Correctly signed checkpoints above the export's last entry: taken after it, not evidence against it. */
  checkpointsAfterHead: number;
  /** SHA-256 of the public key (SPKI DER), to compare with the one the operator published. */
  publicKeySha256: string | null;
}

const HASH = /^[0-9a-f]{64}$/;

/** One exported line as the stored entry it was written from, or null when it is not one. */
function storedEntryOf(line: string): StoredLedgerEntry | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entry = parsed as Record<string, unknown>;
  if (!Number.isSafeInteger(entry.seq) || (entry.seq as number) < 1) return null;
  if (typeof entry.prevHash !== 'string' || typeof entry.hash !== 'string' || !HASH.test(entry.hash)) return null;
  // The hash covers actor and payload as RFC 8785 text, which parsing and canonicalizing restores.
  return { ...entry, actor: canonicalize(entry.actor), payload: canonicalize(entry.payload) } as StoredLedgerEntry;
}

/**
 * Verifies an NDJSON export of the ledger away from the service, as a stream in constant memory:
 * every entry's hash is recomputed and every link checked, from the genesis hash when the export
 * starts at seq 1, else from an anchor or checkpoint just before its first entry (or from its first
 * entry as it stands). The auditor's anchors must all be found in it; correctly signed checkpoints
 * must match where the export holds their seq, and one whose signature fails is itself evidence of
 * tampering. An export filtered by anything but `from` is not a contiguous chain: it fails with a
 * seq gap.
 */
export async function verifyExport(lines: AsyncIterable<string>, options: ExportVerificationOptions = {}): Promise<ExportVerificationReport> {
  const anchors = options.anchors ?? [];
  const signed = options.checkpoints ?? [];
  if (signed.length && !options.publicKeyPem) throw new ValidationError('checkpoints need the public key they were signed with');
  const trusted = options.publicKeyPem ? signed.filter((cp) => verifyCheckpoint(cp, options.publicKeyPem!)) : [];
  const forged = signed.filter((cp) => !trusted.includes(cp)).sort((a, b) => a.seq - b.seq)[0];
  const publicKeySha256 = options.publicKeyPem
    ? createHash('sha256').update(createPublicKey(options.publicKeyPem).export({ type: 'spki', format: 'der' })).digest('hex')
    : null;

  let verifier: ChainVerifier | null = null;
  let fromSeq: number | null = null;
  let lineNo = 0;
  let failedLine: number | null = null;
  let malformed: { seq: number; line: number } | null = null;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    const entry = storedEntryOf(line);
    if (!entry) {
      malformed = { seq: verifier ? verifier.result().headSeq + 1 : (fromSeq ?? 1), line: lineNo };
      break;
    }
    if (!verifier) {
      fromSeq = entry.seq;
      const first = entry.seq;
      const outside = anchors.find((a) => a.seq < first - 1);
      if (outside) {
        throw new ValidationError(`anchor ${outside.seq} lies before the export's first entry (${first}): export from an earlier seq`);
      }
      // A known hash just before the first entry pins where the export starts.
      const pin = first === 1 ? GENESIS_HASH : ([...anchors, ...trusted].find((a) => a.seq === first - 1)?.hash ?? null);
      verifier = new ChainVerifier(
        [...anchors, ...trusted].filter((a) => a.seq >= first),
        { seq: first, prevHash: pin },
      );
    }
    if (!verifier.push(entry) && failedLine === null) failedLine = lineNo;
  }

  const chain = (verifier ?? new ChainVerifier(anchors)).result();
  const headSeq = chain.headSeq;
  let { valid, firstInvalidSeq } = chain;
  let reason: ExportVerificationReport['reason'] = chain.reason;
  const failAt = (seq: number, why: NonNullable<ExportVerificationReport['reason']>, line: number | null) => {
    [valid, firstInvalidSeq, reason, failedLine] = [false, seq, why, line];
  };
  // Checkpoints signed after the export was taken lie above its head: only an anchor there means entries are missing.
  if (reason === 'truncated' && !anchors.some((a) => a.seq > headSeq)) {
    [valid, firstInvalidSeq, reason] = [true, null, null];
  }
  if (malformed && (firstInvalidSeq === null || malformed.seq <= firstInvalidSeq)) failAt(malformed.seq, 'malformed entry', malformed.line);
  if (forged && (firstInvalidSeq === null || forged.seq < firstInvalidSeq)) failAt(forged.seq, 'checkpoint signature invalid', null);
  return {
    valid,
    checked: chain.checked,
    fromSeq,
    headSeq,
    headHash: chain.headHash,
    firstInvalidSeq,
    reason,
    line: valid ? null : failedLine,
    anchors: anchors.filter((a) => fromSeq !== null && a.seq >= fromSeq - 1).length,
    checkpoints: trusted.filter((cp) => fromSeq !== null && cp.seq >= fromSeq - 1 && cp.seq <= headSeq).length,
    checkpointsAfterHead: trusted.filter((cp) => cp.seq > headSeq).length,
    publicKeySha256,
  };
}
