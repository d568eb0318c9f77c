import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { NotFoundError } from '#libs/core';
import type { Page } from '#libs/persistence';
import type { SignedCheckpoint } from '../domain/checkpoint-signer.js';
import type { LedgerEntry, StoredLedgerEntry } from '../domain/ledger-hash.js';
import { verifyLedger, type LedgerVerificationReport } from '../queries/verify-ledger.js';
import { CheckpointKeys } from './checkpoint-keys.js';
import {
  findLedgerEntry,
  ledgerBatches,
  readCheckpointPage,
  readLedgerHead,
  readLedgerPage,
  type LedgerFilter,
  type LedgerPage,
  type LedgerHead,
  type SqlRunner,
} from './ledger-sql.js';

/** Rows per keyset batch of an export. */
const EXPORT_BATCH = 2000;

/** The auditor's reads of the ledger; the list cursor is the last seq of the page. */
@Injectable()
export class LedgerReader {
  private readonly sql: SqlRunner;

  constructor(
    dataSource: DataSource,
    private readonly keys: CheckpointKeys,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.sql = (text, params) => dataSource.query(text, params);
  }

  async list(filter: LedgerFilter, page: LedgerPage, limit: number): Promise<Page<LedgerEntry>> {
    const rows = await readLedgerPage(this.sql, filter, page, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
  }

  async get(seq: number): Promise<LedgerEntry> {
    const entry = await findLedgerEntry(this.sql, seq);
    if (!entry) throw new NotFoundError('Ledger entry', String(seq));
    return entry;
  }

  head(): Promise<LedgerHead> {
    return readLedgerHead(this.sql);
  }

  /** Signed checkpoints, newest first, with the public key they verify under (SPKI PEM). */
  async checkpoints(beforeSeq: number | null, limit: number): Promise<Page<SignedCheckpoint> & { publicKey: string }> {
    const rows = await readCheckpointPage(this.sql, beforeSeq, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null, publicKey: this.keys.publicKeyPem };
  }

  verify(): Promise<LedgerVerificationReport> {
    // Segments read on connections of their own, from worker threads.
    return verifyLedger(this.sql, this.keys.publicKeyPem, { databaseUrl: this.config.databaseUrl });
  }

  batches(filter: LedgerFilter): AsyncGenerator<StoredLedgerEntry[]> {
    return ledgerBatches(this.sql, filter, EXPORT_BATCH);
  }
}
