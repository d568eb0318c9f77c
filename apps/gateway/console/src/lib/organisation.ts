import { normalisePartyName } from '../../../../../libs/core/src/party-name';

/**
 * Whether a person's organisation is the program's implementing partner, compared as the services
 * compare them (libs/core's names: case, accents, punctuation, legal suffixes aside), so the
 * console holds back exactly the decisions a service would refuse as a conflict of interest.
 */
export function sameOrganisation(org: string | null | undefined, partnerName: string): boolean {
  const key = org ? normalisePartyName(org) : '';
  return key !== '' && key === normalisePartyName(partnerName);
}
