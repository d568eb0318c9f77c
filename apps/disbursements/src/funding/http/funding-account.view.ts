import type { FundingAccountState } from '../domain/funding-account.aggregate.js';
import type { ListedParty } from '../persistence/funding.repository.js';

/** The account as API.md shows it; the bookkeeping that orders events stays internal. */
export function fundingAccountView(state: FundingAccountState, restrictingParties: Array<Omit<ListedParty, 'registrationId'>> = []) {
  const { programId, budgetCents, reservedCents, releasedCents, holds, overdueAssessmentIds, status, openedAt, closedAt, version } = state;
  return {
    programId,
    budgetCents,
    reservedCents,
    releasedCents,
    availableCents: budgetCents - reservedCents - releasedCents,
    holds,
    overdueAssessmentIds,
    /** The restricted parties behind PARTNER_RESTRICTED, as listed: whoever reads the account learns why it is held. */
    restrictingParties,
    status,
    openedAt,
    closedAt,
    version,
  };
}
