import type { Actor } from '#libs/contracts';
import { AccessDeniedError, normalisePartyName } from '#libs/core';

/** Who a program's assessment outcomes must not come from (DOMAIN.md: separation of duties). */
export interface ProgramParties {
  programId: string;
  createdBy: string | null;
  partnerName: string | null;
}

/** Nobody assesses a program they drafted, nor one that funds their own organisation. */
export function assertNoConflictOfInterest(actor: Pick<Actor, 'id' | 'org'>, program: ProgramParties): void {
  if (program.createdBy !== null && actor.id === program.createdBy) {
    throw new AccessDeniedError('CONFLICT_OF_INTEREST', 'You drafted this program, so you cannot record its assessment outcome', {
      programId: program.programId,
      reason: 'SELF_ASSESSMENT',
    });
  }
  const org = actor.org ? normalisePartyName(actor.org) : '';
  if (org && program.partnerName !== null && org === normalisePartyName(program.partnerName)) {
    throw new AccessDeniedError('CONFLICT_OF_INTEREST', 'Your organisation implements this program, so you cannot assess it', {
      programId: program.programId,
      reason: 'PARTNER_ORGANISATION',
    });
  }
}
