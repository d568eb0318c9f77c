import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RuleViolationError } from '#libs/core';
import { violatesUnique } from '#libs/persistence';
import type { DisbursementState } from '../domain/disbursement.aggregate.js';
import { releaseDisbursement } from '../domain/funding-policy.js';
import { FundingRepository } from '../persistence/funding.repository.js';
import { ReleaseDisbursementCommand } from './release-disbursement.command.js';

@CommandHandler(ReleaseDisbursementCommand)
export class ReleaseDisbursementHandler implements ICommandHandler<ReleaseDisbursementCommand, DisbursementState> {
  constructor(private readonly funding: FundingRepository) {}

  async execute({ disbursementId, paymentReference, actor }: ReleaseDisbursementCommand): Promise<DisbursementState> {
    try {
      const disbursement = await this.funding.changeDisbursement(disbursementId, 'exclusive', (account, d) =>
        releaseDisbursement(account, d, actor, paymentReference, new Date()),
      );
      return disbursement.toState();
    } catch (err) {
      // One payment released twice would count its money twice (a duplicate payment).
      if (!violatesUnique(err, 'uq_disbursements_payment_reference')) throw err;
      const holder = await this.funding.releaseWithReference(paymentReference);
      throw new RuleViolationError('DUPLICATE_PAYMENT_REFERENCE', `Payment reference ${paymentReference.trim()} was already released`, {
        paymentReference: paymentReference.trim(),
        disbursementId: holder?.id ?? null,
        programId: holder?.programId ?? null,
      });
    }
  }
}
