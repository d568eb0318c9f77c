import type { Country } from '#libs/contracts';

export interface RestrictedPartySeed {
  name: string;
  registrationId: string | null;
  reason: string;
  source: string;
}

const FICTIONAL_SOURCE = 'Cuentas seed data: fictional example, not taken from any real list';

/**
 * Examples that let the restricted-party check be seen working on a fresh install. Every entry
 * is invented; an admin replaces them with the real designation, debarment and sanctions lists.
 */
export const SEED_RESTRICTED_PARTIES: readonly RestrictedPartySeed[] = [
  {
    name: 'Constructora Ejemplo S.A. de C.V.',
    registrationId: '0614-290190-102-3',
    reason: 'Fictional example of a corruption designation (bid rigging on public works); not a real company.',
    source: FICTIONAL_SOURCE,
  },
  {
    name: 'Servicios Ficticios del Norte S. de R.L.',
    registrationId: '0801-1999-00001',
    reason: 'Fictional example of a debarment from federal awards; not a real company.',
    source: FICTIONAL_SOURCE,
  },
  {
    name: 'Distribuidora Imaginaria Ltda.',
    registrationId: null,
    reason: 'Fictional example of a sanctions listing for trafficking finance; not a real company.',
    source: FICTIONAL_SOURCE,
  },
  {
    name: 'Placeholder Logistics LLC',
    registrationId: '00-0000000',
    reason: 'Fictional example of a suspended US contractor; not a real company.',
    source: FICTIONAL_SOURCE,
  },
  {
    name: 'Juan Ejemplo Pérez',
    registrationId: null,
    reason: 'Fictional example of a person designated for corruption; not a real person.',
    source: FICTIONAL_SOURCE,
  },
];

/**
 * The departments of highest out-migration per country, as public reporting commonly names
 * them. Only the starting point of an editable list: the targeting check reads the admin's
 * current list, never this constant. REGIONAL programs have no departments of their own.
 */
export const SEED_PRIORITY_AREAS: Readonly<Record<Country, readonly string[]>> = {
  SV: ['San Salvador', 'San Miguel', 'La Unión', 'Usulután', 'La Libertad'],
  GT: ['Huehuetenango', 'San Marcos', 'Quiché', 'Quetzaltenango', 'Alta Verapaz'],
  HN: ['Cortés', 'Francisco Morazán', 'Yoro', 'Olancho', 'Atlántida'],
  REGIONAL: [],
};
