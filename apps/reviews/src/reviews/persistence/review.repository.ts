import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProgramSnapshot } from '#libs/contracts';
import { NotFoundError } from '#libs/core';
import { AggregateStore, Outbox } from '#libs/messaging';
import { TransactionRunner, findRow, newestFirstPage, type Page } from '#libs/persistence';
import { ReviewAggregate, type ReviewState } from '../domain/review.aggregate.js';
import { ReviewEntity } from './review.entity.js';
import { WithdrawnProgramEntity } from './withdrawn-program.entity.js';

const RESTRICTED_LIST_LOCK = 'reviews:restricted-list';

export interface ReviewFilter {
  programId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

/** Loads and saves reviews; each save writes the review's events to the outbox in the same transaction. */
@Injectable()
export class ReviewRepository {
  private readonly store: AggregateStore<ReviewAggregate, ReviewEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    outbox: Outbox,
  ) {
    this.store = new AggregateStore(tx, outbox, {
      entity: ReviewEntity,
      label: 'Review',
      toRow,
      fromRow: (row) => ReviewAggregate.restore(row.state),
    });
  }

  async add(review: ReviewAggregate): Promise<void> {
    await this.store.add(review);
  }

  /** False when the round has its review already (a redelivery) or the program was withdrawn before the event arrived: one statement for both. */
  async needsReview(programId: string, round: number): Promise<boolean> {
    const [row] = await this.tx.manager.query<{ needed: boolean }[]>(
      `SELECT NOT EXISTS (SELECT 1 FROM reviews.reviews WHERE program_id = $1 AND round = $2)
          AND NOT EXISTS (SELECT 1 FROM reviews.withdrawn_programs WHERE program_id = $1) AS needed`,
      [programId, round],
    );
    return row.needed;
  }

  /** Locks the review, applies the change and saves it with its events. */
  change(id: string, apply: (review: ReviewAggregate) => void): Promise<ReviewAggregate> {
    return this.store.change(id, apply);
  }

  async openReviewIdOf(programId: string): Promise<string | null> {
    const row = await this.tx.run((em) =>
      em
        .getRepository(ReviewEntity)
        .createQueryBuilder('r')
        .where('r.program_id = :programId', { programId })
        .andWhere(`r.status IN ('OPEN', 'AWAITING_SECOND_REVIEW')`)
        .getOne(),
    );
    return row?.id ?? null;
  }

  async get(id: string): Promise<ReviewState> {
    const row = await findRow(this.dataSource.manager, ReviewEntity, { id });
    if (!row) throw new NotFoundError('Review', id);
    return row.state;
  }

  /** Newest first (ids are uuid v7). */
  async list(f: ReviewFilter): Promise<Page<ReviewState>> {
    const qb = this.dataSource.getRepository(ReviewEntity).createQueryBuilder('r');
    if (f.programId) qb.andWhere('r.program_id = :programId', { programId: f.programId });
    if (f.status) qb.andWhere('r.status = :status', { status: f.status });
    const page = await newestFirstPage(qb, 'r.id', f, (r) => r.id);
    return { ...page, items: page.items.map((r) => r.state) };
  }

  /**
   * Serialises the program's events within the caller's transaction: without it, a
   * `program.submitted` and a `program.withdrawn` consumed at the same time would each miss the
   * other's uncommitted write and leave an open review for a withdrawn program.
   */
  async lockProgram(programId: string): Promise<void> {
    await this.tx.run((em) => em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [programId]));
  }

  /**
   * Opening a review reads the restricted list under this program's lock and a shared lock on the
   * list; a change to the list holds it exclusively while it screens the undecided reviews. So a
   * review opened while a party is being listed either sees the party or is screened by the change.
   */
  async lockProgramForOpening(programId: string): Promise<void> {
    await this.tx.run((em) =>
      em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock_shared(hashtextextended($2, 0))`, [
        programId,
        RESTRICTED_LIST_LOCK,
      ]),
    );
  }

  /** See `lockProgramForOpening`. */
  async lockRestrictedList(): Promise<void> {
    await this.tx.run((em) => em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [RESTRICTED_LIST_LOCK]));
  }

  /** The snapshots of the undecided reviews, by review id. */
  async undecidedSnapshots(): Promise<Array<{ id: string; snapshot: ProgramSnapshot }>> {
    return this.tx.manager.query(
      `SELECT id, state->'snapshot' AS snapshot FROM reviews.reviews WHERE status IN ('OPEN', 'AWAITING_SECOND_REVIEW')`,
    );
  }

  /** Withdrawal is final, so remembering it once is enough; a redelivery changes nothing. */
  async markWithdrawn(programId: string, reason: string, now: Date): Promise<void> {
    await this.tx.run((em) =>
      em
        .createQueryBuilder()
        .insert()
        .into(WithdrawnProgramEntity)
        .values({ programId, reason, withdrawnAt: now })
        .orIgnore()
        .execute(),
    );
  }
}

function toRow(review: ReviewAggregate): ReviewEntity {
  const state = review.toState();
  return {
    id: state.id,
    programId: state.programId,
    round: state.round,
    status: state.status,
    version: state.version,
    state,
    openedAt: state.openedAt,
    updatedAt: new Date(),
  };
}
