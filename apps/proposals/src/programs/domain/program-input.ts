import { COUNTRIES, PILLARS, type ProgramInput } from '#libs/contracts';
import { ValidationError } from '#libs/core';

export type { ProgramInput };


/** The editable part of a program once defaults are applied. */
export type ProgramFields = Required<ProgramInput>;

export const DEFAULT_ASSESSMENT_CADENCE_DAYS = 90;
export const MIN_ASSESSMENT_CADENCE_DAYS = 30;
export const MAX_ASSESSMENT_CADENCE_DAYS = 365;
export const MAX_OBJECTIVES = 20;
export const MAX_INDICATORS_PER_OBJECTIVE = 10;

/** Every editable field, in the order they are stored; a revision may touch only these. */
export const PROGRAM_FIELDS = [
  'title',
  'summary',
  'country',
  'pillar',
  'objectives',
  'targetAreas',
  'implementingPartner',
  'budgetCents',
  'cofunding',
  'startDate',
  'endDate',
  'assessmentCadenceDays',
] as const satisfies ReadonlyArray<keyof ProgramFields>;

/**
 * Copies only the known fields, in a fixed key order and with defaults, so that stored state,
 * snapshots and the change detection of a revision never depend on how a client ordered its JSON.
 */
export function normalizeProgramInput(input: ProgramInput): ProgramFields {
  const partner = input.implementingPartner;
  return {
    title: input.title,
    summary: input.summary,
    country: input.country,
    pillar: input.pillar,
    objectives: input.objectives.map((o) => ({
      description: o.description,
      indicators: o.indicators.map((i) => ({ name: i.name, unit: i.unit, baseline: i.baseline ?? null, target: i.target ?? null })),
    })),
    targetAreas: [...input.targetAreas],
    implementingPartner: {
      name: partner.name,
      ...(partner.registrationId !== undefined ? { registrationId: partner.registrationId } : {}),
      country: partner.country,
    },
    budgetCents: input.budgetCents,
    cofunding: (input.cofunding ?? []).map((c) => ({ partner: c.partner, amountCents: c.amountCents })),
    startDate: input.startDate,
    endDate: input.endDate,
    assessmentCadenceDays: input.assessmentCadenceDays ?? DEFAULT_ASSESSMENT_CADENCE_DAYS,
  };
}

export interface FieldProblems {
  field: string;
  problems: string[];
}

const isText = (v: unknown): boolean => typeof v === 'string' && v.trim().length > 0;
const isCents = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isCalendarDate = (v: unknown): boolean =>
  typeof v === 'string' &&
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(v)) &&
  new Date(v).toISOString().startsWith(v); // rejects 2025-02-30, which Date.parse rolls over

/**
 * The field rules of DOMAIN.md that hold for every program, whoever writes it (HTTP, scripts,
 * replays). Date order, programme length and targeting are deliberately left to the review's
 * safeguard checks, which judge a submitted program rather than refuse a draft.
 */
export function programFieldProblems(p: ProgramFields): FieldProblems[] {
  const found: FieldProblems[] = [];
  const check = (ok: boolean, field: string, problem: string) => {
    if (ok) return;
    const entry = found.find((f) => f.field === field);
    if (entry) entry.problems.push(problem);
    else found.push({ field, problems: [problem] });
  };

  check(isText(p.title), 'title', 'title must not be empty');
  check(isText(p.summary), 'summary', 'summary must not be empty');
  check(COUNTRIES.includes(p.country), 'country', `country must be one of ${COUNTRIES.join(', ')}`);
  check(PILLARS.includes(p.pillar), 'pillar', `pillar must be one of ${PILLARS.join(', ')}`);

  check(
    p.objectives.length >= 1 && p.objectives.length <= MAX_OBJECTIVES,
    'objectives',
    `objectives must have 1 to ${MAX_OBJECTIVES} entries`,
  );
  const seen = new Set<string>();
  p.objectives.forEach((o, oi) => {
    const at = `objectives.${oi}`;
    check(isText(o.description), `${at}.description`, 'description must not be empty');
    check(
      o.indicators.length >= 1 && o.indicators.length <= MAX_INDICATORS_PER_OBJECTIVE,
      `${at}.indicators`,
      `indicators must have 1 to ${MAX_INDICATORS_PER_OBJECTIVE} entries`,
    );
    o.indicators.forEach((i, ii) => {
      const ind = `${at}.indicators.${ii}`;
      check(isText(i.name), `${ind}.name`, 'name must not be empty');
      // Assessment results name their indicator, so a name must identify one indicator.
      check(!seen.has(i.name), `${ind}.name`, `indicator name "${i.name}" is used twice`);
      seen.add(i.name);
      check(typeof i.unit === 'string', `${ind}.unit`, 'unit must be a string');
      // Missing (null) is allowed: the review's measurable-objectives check refuses it, with reasons.
      check(i.baseline === null || Number.isFinite(i.baseline), `${ind}.baseline`, 'baseline must be a number');
      check(i.target === null || Number.isFinite(i.target), `${ind}.target`, 'target must be a number');
    });
  });

  p.targetAreas.forEach((a, i) => check(isText(a), `targetAreas.${i}`, 'a target area must not be empty'));
  check(isText(p.implementingPartner.name), 'implementingPartner.name', 'name must not be empty');
  check(
    COUNTRIES.includes(p.implementingPartner.country),
    'implementingPartner.country',
    `country must be one of ${COUNTRIES.join(', ')}`,
  );
  check(isCents(p.budgetCents), 'budgetCents', 'budgetCents must be a positive integer number of cents');
  p.cofunding.forEach((c, i) => {
    check(isText(c.partner), `cofunding.${i}.partner`, 'partner must not be empty');
    const field = `cofunding.${i}.amountCents`;
    check(isCents(c.amountCents), field, 'amountCents must be a positive integer number of cents');
  });
  check(isCalendarDate(p.startDate), 'startDate', 'startDate must be a date YYYY-MM-DD');
  check(isCalendarDate(p.endDate), 'endDate', 'endDate must be a date YYYY-MM-DD');
  check(
    Number.isInteger(p.assessmentCadenceDays) &&
      p.assessmentCadenceDays >= MIN_ASSESSMENT_CADENCE_DAYS &&
      p.assessmentCadenceDays <= MAX_ASSESSMENT_CADENCE_DAYS,
    'assessmentCadenceDays',
    `assessmentCadenceDays must be a whole number from ${MIN_ASSESSMENT_CADENCE_DAYS} ` +
      `to ${MAX_ASSESSMENT_CADENCE_DAYS}`,
  );
  return found;
}

/** Throws a 400 listing each field the way the HTTP validation pipe does. */
export function assertValidProgram(p: ProgramFields): void {
  const problems = programFieldProblems(p);
  if (problems.length > 0) {
    throw new ValidationError(`Invalid program: ${problems.map((f) => f.field).join(', ')}`, problems);
  }
}
