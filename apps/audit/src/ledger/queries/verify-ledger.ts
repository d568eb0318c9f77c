import { ChainVerifier, type ChainFailureReason } from '../domain/chain-verifier.js';
import { verifyCheckpoint } from '../domain/checkpoint-signer.js';
import type { SourceGap } from '../domain/source-gaps.js';
import { findSourceGaps, ledgerBatches, readCheckpoints, type SqlRunner } from '../persistence/ledger-sql.js';

/** Rows per keyset batch: memory stays flat whatever the ledger's size. */
export const VERIFY_BATCH = 5000;

export interface LedgerVerificationReport {
  valid: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  firstInvalidSeq: number | null;
  reason: ChainFailureReason | 'checkpoint signature invalid' | null;
  /** Checkpoints whose signature verified and which the chain was checked against. */
  checkpoints: number;
  gaps: SourceGap[];
}

/**
 * Verifies the whole chain in seq order against every correctly signed checkpoint, and reports
 * each source's sequence gaps. A checkpoint whose signature fails is itself evidence of tampering:
 * the ledger is then invalid from that checkpoint's seq on (or from an earlier chain failure).
 * Gaps do not make the chain invalid: they mean events are missing upstream, not altered here.
 */
export async function verifyLedger(sql: SqlRunner, publicKeyPem: string): Promise<LedgerVerificationReport> {
  const stored = await readCheckpoints(sql);
  const trusted = stored.filter((cp) => verifyCheckpoint(cp, publicKeyPem));
  const forged = stored.find((cp) => !trusted.includes(cp));

  const verifier = new ChainVerifier(trusted);
  for await (const batch of ledgerBatches(sql, {}, VERIFY_BATCH)) {
    for (const entry of batch) verifier.push(entry);
  }
  const chain = verifier.result();
  const gaps = (await findSourceGaps(sql)).map(({ source, fromSeq, toSeq }) => ({ source, fromSeq, toSeq }));

  const report: LedgerVerificationReport = { ...chain, checkpoints: trusted.length, gaps };
  if (forged && (chain.firstInvalidSeq === null || forged.seq < chain.firstInvalidSeq)) {
    return { ...report, valid: false, firstInvalidSeq: forged.seq, reason: 'checkpoint signature invalid' };
  }
  return report;
}
