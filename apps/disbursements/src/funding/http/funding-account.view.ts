import type { FundingAccountState } from '../domain/funding-account.aggregate.js';

/** The account as API.md shows it; the bookkeeping that orders events stays internal. */
export function fundingAccountView(state: FundingAccountState) {
  const { programId, budgetCents, reservedCents, releasedCents, holds, overdueAssessmentIds, status, openedAt, closedAt, version } = state;
  return {
    programId,
    budgetCents,
    reservedCents,
    releasedCents,
    availableCents: budgetCents - reservedCents - releasedCents,
    holds,
    overdueAssessmentIds,
    status,
    openedAt,
    closedAt,
    version,
  };
}
