import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { partnerKeysOf, partnersMatch } from '#libs/core';
import { TransactionRunner } from '#libs/persistence';
import { ReferenceDataRepository } from '../../reference-data/persistence/reference-data.repository.js';
import { restrictedPartyCheck } from '../domain/safeguard-checks.js';
import { ReviewRepository } from '../persistence/review.repository.js';
import { RescreenReviewsCommand } from './rescreen-reviews.command.js';

/**
 * Runs in the transaction that changes the list. Without it a review opened before a party was
 * listed would keep its passing check and could approve a partner already barred, and one that
 * failed on a listing made in error could never approve.
 */
@CommandHandler(RescreenReviewsCommand)
export class RescreenReviewsHandler implements ICommandHandler<RescreenReviewsCommand, void> {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly reviews: ReviewRepository,
    private readonly referenceData: ReferenceDataRepository,
  ) {}

  async execute({ party }: RescreenReviewsCommand): Promise<void> {
    await this.tx.run(async () => {
      await this.reviews.lockRestrictedList();
      const keys = partnerKeysOf(party.name, party.registrationId);
      const matching = (await this.reviews.undecidedSnapshots()).filter(({ snapshot: { implementingPartner: p } }) =>
        partnersMatch(keys, partnerKeysOf(p.name, p.registrationId ?? null)),
      );
      for (const { id, snapshot } of matching) {
        const { restrictedParties, restrictedListSize } = await this.referenceData.safeguardReference(snapshot);
        const check = restrictedPartyCheck(snapshot, restrictedParties, restrictedListSize);
        await this.reviews.change(id, (review) => review.rescreen(check, party.id));
      }
    });
  }
}
