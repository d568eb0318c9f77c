import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';

/** The request's state as one document, with the columns lists filter on and the idempotency key beside it. */
@Entity({ name: 'disbursements', schema: 'disbursements' })
export class DisbursementEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'program_id' }) programId: string;
  @Column('text') status: string;
  @Column('integer') version: number;
  @Column('bigint', { name: 'amount_cents' }) amountCents: number | string;
  @Column('text', { name: 'requested_by' }) requestedBy: string;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey: string | null;
  /** Unique among releases: one payment is not released twice (see paymentReferenceKey). */
  @Column('text', { name: 'payment_reference_key', nullable: true }) paymentReferenceKey: string | null;
  @Column('jsonb') state: DisbursementState;
  @Column('timestamptz', { name: 'requested_at' }) requestedAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
