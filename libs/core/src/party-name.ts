/**
 * Folds text for comparison: accents stripped (NFD, then combining marks dropped), upper case,
 * dots and apostrophes deleted so "S.A." reads as "SA" and "O'Neil" as "ONEIL", every other
 * non-alphanumeric character turned into a space, runs of spaces collapsed.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[.'’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Legal-form suffixes used in Central America and the US. Held without spaces, because
 * they are compared with the name's last words run together: "S.A. de C.V.", "SA de CV",
 * "S. A. DE C. V." and "S.A.de C.V." all end in the letters SADECV.
 */
const LEGAL_SUFFIXES = new Set(
  [
    'S.A.',
    'S.A. de C.V.',
    'S. de R.L.',
    'S. de R.L. de C.V.',
    'S.R.L.',
    'S.A.S.',
    'Sociedad Anónima',
    'Sociedad Anónima de Capital Variable',
    'Sociedad de Responsabilidad Limitada',
    'Sociedad de Responsabilidad Limitada de Capital Variable',
    'Sociedad por Acciones Simplificada',
    'Ltda.',
    'Limitada',
    'Cía.',
    'y Cía.',
    'Inc.',
    'Incorporated',
    'LLC',
    'Corp.',
    'Corporation',
    'Co.',
    'y Co.',
    'and Co.',
    'Company',
    'Ltd.',
    'Limited',
  ].map((suffix) => foldText(suffix).replace(/ /g, '')),
);

/**
 * The name of a party as compared against the restricted list: folded as `foldText` does,
 * then stripped of trailing legal-form suffixes (repeatedly, so "Ejemplo Co. Ltd." loses
 * both). The first word always stays, so a name that is only a suffix is not emptied.
 * The reviews service stores it (and `normaliseRegistrationId`'s) with each restricted party and
 * looks partners up by the stored value: a change here needs a migration that recomputes them.
 */
export function normalisePartyName(name: string): string {
  const words = foldText(name).split(' ').filter(Boolean);
  for (let stripped = trailingSuffixLength(words); stripped > 0; stripped = trailingSuffixLength(words)) {
    words.splice(words.length - stripped, stripped);
  }
  return words.join(' ');
}

/** How many trailing words form a legal suffix (the longest such run), 0 when none do. */
function trailingSuffixLength(words: string[]): number {
  for (let count = words.length - 1; count > 0; count -= 1) {
    if (LEGAL_SUFFIXES.has(words.slice(-count).join(''))) return count;
  }
  return 0;
}

/**
 * A registration id (NIT, RTN, EIN...) as compared against the restricted list: separators
 * of any kind (spaces, dashes, dots, slashes) dropped and letters upper-cased, so
 * "0614-290190-102-3" and "0614 290190 1023" are the same id.
 */
export function normaliseRegistrationId(id: string): string {
  return foldText(id).replace(/ /g, '');
}

/** A party as the restricted list matches it: normalised name and registration id (null: none to match). */
export interface PartnerKeys {
  nameKey: string | null;
  registrationKey: string | null;
}

export function partnerKeysOf(name: string | null, registrationId: string | null): PartnerKeys {
  return {
    nameKey: (name && normalisePartyName(name)) || null,
    registrationKey: (registrationId && normaliseRegistrationId(registrationId)) || null,
  };
}

/** Whether two parties match as the restricted-party check matches them: same normalised name, or same registration id. */
export function partnersMatch(a: PartnerKeys, b: PartnerKeys): boolean {
  return (a.nameKey !== null && a.nameKey === b.nameKey) || (a.registrationKey !== null && a.registrationKey === b.registrationKey);
}
