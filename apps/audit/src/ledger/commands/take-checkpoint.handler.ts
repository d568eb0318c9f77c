import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { signCheckpoint, type SignedCheckpoint } from '../domain/checkpoint-signer.js';
import { CheckpointKeys } from '../persistence/checkpoint-keys.js';
import { readLedgerHead, type SqlRunner } from '../persistence/ledger-sql.js';
import { TakeCheckpointCommand } from './take-checkpoint.command.js';

/** Returns the new checkpoint, or null when the head has not moved since the last one. */
@CommandHandler(TakeCheckpointCommand)
export class TakeCheckpointHandler implements ICommandHandler<TakeCheckpointCommand, SignedCheckpoint | null> {
  private readonly sql: SqlRunner;

  constructor(
    dataSource: DataSource,
    private readonly keys: CheckpointKeys,
  ) {
    this.sql = (text, params) => dataSource.query(text, params);
  }

  async execute(): Promise<SignedCheckpoint | null> {
    const head = await readLedgerHead(this.sql);
    const [last] = (await this.sql(`SELECT max(seq) AS seq FROM audit.checkpoints`)) as Array<{ seq: string | null }>;
    if (head.seq === 0 || Number(last.seq ?? 0) >= head.seq) return null;
    const checkpoint = signCheckpoint(head, this.keys.privateKeyPem, new Date());
    await this.sql(`INSERT INTO audit.checkpoints (seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4)`, [
      checkpoint.seq,
      checkpoint.hash,
      checkpoint.signedAt,
      checkpoint.signature,
    ]);
    return checkpoint;
  }
}
