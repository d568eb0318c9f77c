import type { SegmentBounds } from '../domain/chain-stitcher.js';
import { ChainVerifier, type ChainCheckpoint, type ChainSegment } from '../domain/chain-verifier.js';
import { ledgerSegmentBatches, openVerifyConnection } from '../persistence/ledger-sql.js';

/** One segment of a ledger verification; plain data, so it can be a worker thread's workerData. */
export interface SegmentTask {
  databaseUrl: string;
  bounds: SegmentBounds;
  /** The trusted checkpoints within the bounds. */
  checkpoints: ChainCheckpoint[];
  batchSize: number;
}

/**
 * Verifies the entries of one seq range on a connection of its own: their hashes, seqs, links
 * and checkpoints. The link into the range is left to stitchSegments, which knows the hash before.
 */
export async function verifySegment({ databaseUrl, bounds, checkpoints, batchSize }: SegmentTask): Promise<ChainSegment> {
  const connection = await openVerifyConnection(databaseUrl);
  try {
    const verifier = new ChainVerifier(checkpoints, { seq: bounds.fromSeq, prevHash: null });
    for await (const batch of ledgerSegmentBatches(connection.sql, bounds, batchSize)) {
      for (const entry of batch) verifier.push(entry);
    }
    return verifier.segment();
  } finally {
    await connection.close();
  }
}
