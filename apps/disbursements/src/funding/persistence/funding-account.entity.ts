import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FundingAccountState } from '../domain/funding-account.aggregate.js';

/** The account's state as one document; the money columns beside it carry the database's budget check. */
@Entity({ name: 'funding_accounts', schema: 'disbursements' })
export class FundingAccountEntity {
  @PrimaryColumn('uuid', { name: 'program_id' }) programId: string;
  @Column('text') status: string;
  @Column('integer') version: number;
  // bigint comes back from pg as a string; the state document is what the code reads.
  @Column('bigint', { name: 'budget_cents' }) budgetCents: number | string;
  @Column('bigint', { name: 'reserved_cents' }) reservedCents: number | string;
  @Column('bigint', { name: 'released_cents' }) releasedCents: number | string;
  @Column('jsonb') state: FundingAccountState;
  /** The state's partner keys again, indexed: which accounts a newly restricted party matches. */
  @Column('text', { name: 'partner_name_key', nullable: true }) partnerNameKey: string | null;
  @Column('text', { name: 'partner_registration_key', nullable: true }) partnerRegistrationKey: string | null;
  @Column('timestamptz', { name: 'opened_at' }) openedAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}
