import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '#libs/core';
import { Outbox } from '#libs/messaging';
import { TransactionRunner } from '#libs/persistence';
import { ReviewAggregate, type ReviewState } from '../domain/review.aggregate.js';
import { ReviewEntity } from './review.entity.js';

/** Loads and saves reviews; each save writes the review's events to the outbox in the same transaction. */
@Injectable()
export class ReviewRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
  ) {}

  async add(review: ReviewAggregate): Promise<void> {
    await this.tx.run(async (em) => {
      await em.insert(ReviewEntity, this.toRow(review));
      await this.outbox.appendFrom(em, review);
    });
  }

  async exists(programId: string, round: number): Promise<boolean> {
    return this.tx.run((em) => em.existsBy(ReviewEntity, { programId, round }));
  }

  /** Locks the review, applies the change and saves it with its events. */
  async change(id: string, apply: (review: ReviewAggregate) => void): Promise<ReviewAggregate> {
    return this.tx.run(async (em) => {
      const row = await em.findOne(ReviewEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundError('Review', id);
      const review = ReviewAggregate.restore(row.state);
      apply(review);
      await em.update(ReviewEntity, { id }, this.toRow(review));
      await this.outbox.appendFrom(em, review);
      return review;
    });
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
    const row = await this.dataSource.getRepository(ReviewEntity).findOneBy({ id });
    if (!row) throw new NotFoundError('Review', id);
    return row.state;
  }

  private toRow(review: ReviewAggregate): ReviewEntity {
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
}
