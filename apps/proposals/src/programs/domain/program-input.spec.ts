import { ValidationError } from '#libs/core';
import {
  assertValidProgram,
  normalizeProgramInput,
  programFieldProblems,
  type ProgramFields,
  type ProgramInput,
} from './program-input.js';

const indicator = (name: string) => ({ name, unit: 'people', baseline: 0, target: 100 });

const input = (): ProgramInput => ({
  title: 'Community violence prevention',
  summary: 'Violence interruption in neighbourhoods with high out-migration.',
  country: 'SV',
  pillar: 'IV',
  objectives: [{ description: 'Reduce homicides', indicators: [indicator('homicides per 100k')] }],
  targetAreas: ['San Miguel'],
  implementingPartner: { name: 'Paz y Barrio', country: 'SV' },
  budgetCents: 90_000_000,
  startDate: '2025-01-01',
  endDate: '2026-12-31',
});

const fields = (overrides: Partial<ProgramFields> = {}): ProgramFields => ({ ...normalizeProgramInput(input()), ...overrides });
const problemFields = (overrides: Partial<ProgramFields>) => programFieldProblems(fields(overrides)).map((p) => p.field);

describe('normalizeProgramInput', () => {
  it('applies the defaults and drops unknown keys', () => {
    const withExtra = { ...input(), status: 'APPROVED', implementingPartner: { name: 'Paz y Barrio', country: 'SV', x: 1 } };
    const normalized = normalizeProgramInput(withExtra as ProgramInput);
    expect(normalized.assessmentCadenceDays).toBe(90);
    expect(normalized.cofunding).toEqual([]);
    expect(normalized).not.toHaveProperty('status');
    expect(normalized.implementingPartner).toEqual({ name: 'Paz y Barrio', country: 'SV' });
  });

  it('orders keys the same way whatever order the client used', () => {
    const reordered = { ...input(), implementingPartner: { country: 'SV' as const, name: 'Paz y Barrio' } };
    expect(JSON.stringify(normalizeProgramInput(reordered))).toBe(JSON.stringify(normalizeProgramInput(input())));
  });
});

describe('programFieldProblems', () => {
  it('accepts a valid program', () => {
    expect(programFieldProblems(fields())).toEqual([]);
  });

  it.each([
    ['no objective', { objectives: [] }, 'objectives'],
    [
      '21 objectives',
      { objectives: Array.from({ length: 21 }, (_, i) => ({ description: `o${i}`, indicators: [indicator(`i${i}`)] })) },
      'objectives',
    ],
    ['an objective without indicator', { objectives: [{ description: 'd', indicators: [] }] }, 'objectives.0.indicators'],
    [
      '11 indicators in one objective',
      { objectives: [{ description: 'd', indicators: Array.from({ length: 11 }, (_, i) => indicator(`i${i}`)) }] },
      'objectives.0.indicators',
    ],
    [
      'the same indicator name twice',
      {
        objectives: [
          { description: 'a', indicators: [indicator('jobs')] },
          { description: 'b', indicators: [indicator('jobs')] },
        ],
      },
      'objectives.1.indicators.0.name',
    ],
    [
      'a non-numeric target',
      { objectives: [{ description: 'd', indicators: [{ ...indicator('x'), target: Number.NaN }] }] },
      'objectives.0.indicators.0.target',
    ],
    ['a cadence of 29 days', { assessmentCadenceDays: 29 }, 'assessmentCadenceDays'],
    ['a cadence of 366 days', { assessmentCadenceDays: 366 }, 'assessmentCadenceDays'],
    ['a fractional cadence', { assessmentCadenceDays: 90.5 }, 'assessmentCadenceDays'],
    ['a budget in fractional cents', { budgetCents: 100.5 }, 'budgetCents'],
    ['a zero budget', { budgetCents: 0 }, 'budgetCents'],
    ['a negative cofunding amount', { cofunding: [{ partner: 'Town', amountCents: -5 }] }, 'cofunding.0.amountCents'],
    ['an impossible date', { startDate: '2025-02-30' }, 'startDate'],
    ['a date with a time', { endDate: '2026-12-31T00:00:00Z' }, 'endDate'],
    ['an unknown country', { country: 'MX' as never }, 'country'],
    ['an unknown pillar', { pillar: 'VI' as never }, 'pillar'],
    ['a blank title', { title: '   ' }, 'title'],
    ['a blank partner name', { implementingPartner: { name: '', country: 'SV' as const } }, 'implementingPartner.name'],
  ])('refuses %s', (_case, overrides, field) => {
    expect(problemFields(overrides as Partial<ProgramFields>)).toEqual([field]);
  });

  it.each([
    ['cadence 30', { assessmentCadenceDays: 30 }],
    ['cadence 365', { assessmentCadenceDays: 365 }],
    ['20 objectives of 10 indicators', {
      objectives: Array.from({ length: 20 }, (_, o) => ({
        description: `o${o}`,
        indicators: Array.from({ length: 10 }, (_, i) => indicator(`o${o}i${i}`)),
      })),
    }],
    // Date order and length are the review's `schedule` safeguard, not a reason to refuse a draft.
    ['an end before the start', { startDate: '2026-01-01', endDate: '2025-01-01' }],
  ])('accepts %s', (_case, overrides) => {
    expect(programFieldProblems(fields(overrides))).toEqual([]);
  });
});

describe('assertValidProgram', () => {
  it('throws a 400 VALIDATION_FAILED naming each field with its problems', () => {
    let error: unknown;
    try {
      assertValidProgram(fields({ title: '', budgetCents: -1 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      statusCode: 400,
      details: [
        { field: 'title', problems: ['title must not be empty'] },
        { field: 'budgetCents', problems: ['budgetCents must be a positive integer number of cents'] },
      ],
    });
  });
});
