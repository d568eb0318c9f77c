import type { FundingAccountState } from '../domain/funding-account.aggregate.js';

/** The account as API.md shows it; the bookkeeping that orders events stays internal. */
export function fundingAccountView(state: FundingAccountState) {
  const { programId, budgetCents, reservedCents, releasedCents, holds, overdueAssessmentIds, restrictingPartyIds, status, openedAt, closedAt, version } = state;
  return {
    programId,
    budgetCents,
    reservedCents,
    releasedCents,
    availableCents: budgetCents - reservedCents - releasedCents,
    holds,
    overdueAssessmentIds,
    /** The restricted parties (GET /restricted-parties) behind PARTNER_RESTRICTED. */
    restrictingPartyIds: restrictingPartyIds ?? [],
    status,
    openedAt,
    closedAt,
    version,
  };
}
