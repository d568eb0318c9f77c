import type { Person } from './test-system.js';

export const people = {
  manager: { sub: 'gm-ana', name: 'Ana Grant', roles: ['grant_manager'], org: 'USAID Mission Guatemala' },
  manager2: { sub: 'gm-bruno', name: 'Bruno Grant', roles: ['grant_manager'], org: 'USAID Mission Honduras' },
  reviewer: { sub: 'rv-carla', name: 'Carla Review', roles: ['reviewer'], org: 'Office of Inspector' },
  reviewer2: { sub: 'rv-diego', name: 'Diego Review', roles: ['reviewer'], org: 'Office of Inspector' },
  approver: { sub: 'ap-elena', name: 'Elena Finance', roles: ['approver'], org: 'Finance Office' },
  approver2: { sub: 'ap-felipe', name: 'Felipe Finance', roles: ['approver'], org: 'Finance Office' },
  scheduler: { sub: 'sc-gloria', name: 'Gloria Schedule', roles: ['scheduler'], org: 'Monitoring Unit' },
  auditor: { sub: 'au-hugo', name: 'Hugo Audit', roles: ['auditor'], org: 'Office of Inspector General' },
  admin: { sub: 'ad-irene', name: 'Irene Admin', roles: ['admin'], org: 'Program Office' },
} satisfies Record<string, Person>;

/** A clean program body: passes every safeguard check. */
export function programBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Youth employment in the Western Highlands',
    summary: 'Vocational training and job placement for young people at risk of migrating.',
    country: 'GT',
    pillar: 'I',
    objectives: [
      {
        description: 'Increase youth employment',
        indicators: [{ name: 'Youth placed in jobs', unit: 'people', baseline: 0, target: 1200 }],
      },
    ],
    targetAreas: ['Huehuetenango'],
    implementingPartner: { name: 'Fundación Desarrollo Juvenil', registrationId: 'GT-778899', country: 'GT' },
    budgetCents: 250_000_000,
    cofunding: [],
    startDate: '2027-01-01',
    endDate: '2027-12-31',
    assessmentCadenceDays: 90,
    ...overrides,
  };
}
