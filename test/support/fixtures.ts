import { upcomingProgramDates } from '#libs/testing';
import { DEV_PEOPLE } from '../../apps/gateway/src/console/dev-people.js';

/** The seeded people of a development system (also the console's sign-in chooser). */
export const people = DEV_PEOPLE;

/** A clean program body: passes every safeguard check; runs a year from tomorrow. */
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
    ...upcomingProgramDates(364),
    assessmentCadenceDays: 90,
    ...overrides,
  };
}
