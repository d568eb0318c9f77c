import type { ProgramSnapshot } from '#libs/contracts';

/** Test fixture: a program that passes every safeguard check against `cleanContext`. */
export function cleanProgram(overrides: Partial<ProgramSnapshot> = {}): ProgramSnapshot {
  return {
    id: '01890f3e-0000-7000-8000-000000000001',
    title: 'Youth employment in the western highlands',
    summary: 'Vocational training and job placement for young people.',
    country: 'GT',
    pillar: 'I',
    objectives: [
      {
        description: 'Place trained youth in formal jobs',
        indicators: [{ name: 'Youth placed', unit: 'people', baseline: 0, target: 1200 }],
      },
    ],
    targetAreas: ['Huehuetenango', 'Totonicapán'],
    implementingPartner: { name: 'Fundación Horizonte Laboral', registrationId: '1234567-8', country: 'GT' },
    budgetCents: 250_000_000,
    cofunding: [],
    startDate: '2026-01-01',
    endDate: '2028-12-31',
    assessmentCadenceDays: 90,
    createdBy: 'user-drafter',
    version: 3,
    ...overrides,
  };
}

export const cleanContext = {
  restrictedParties: [{ name: 'Constructora Ejemplo S.A. de C.V.', registrationId: '0614-290190-102-3' }],
  restrictedListSize: 1,
  priorityAreas: ['Huehuetenango', 'San Marcos', 'Quiché'],
  highValueThresholdCents: 500_000_000,
};
