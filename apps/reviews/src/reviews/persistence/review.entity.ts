import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReviewState } from '../domain/review.aggregate.js';

@Entity({ name: 'reviews', schema: 'reviews' })
export class ReviewEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'program_id' }) programId: string;
  @Column('integer') round: number;
  @Column('text') status: string;
  @Column('integer') version: number;
  @Column('jsonb') state: ReviewState;
  @Column('timestamptz', { name: 'opened_at' }) openedAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
