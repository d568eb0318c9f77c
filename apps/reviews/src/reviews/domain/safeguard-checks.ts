import type { CheckName, CheckResult, ProgramSnapshot } from '#libs/contracts';
import { foldText, formatUsd, normalisePartyName, normaliseRegistrationId } from '#libs/core';

export interface RestrictedPartyRef {
  name: string;
  registrationId?: string | null;
}

export interface SafeguardContext {
  /** The active restricted parties that share the partner's normalised name or registration id; any superset of them does. */
  restrictedParties: RestrictedPartyRef[];
  /** How many parties the active list holds, for the reviewer to see what was checked. */
  restrictedListSize: number;
  /** The priority areas of the program's country, from the editable reference data. */
  priorityAreas: string[];
  highValueThresholdCents: number;
  /** Longest program allowed, in calendar years. */
  maxYears?: number;
}

const DEFAULT_MAX_YEARS = 5;
const MIN_CADENCE_DAYS = 30;
const MAX_CADENCE_DAYS = 365;
const BLOCKING_CHECKS: ReadonlySet<CheckName> = new Set(['restricted-party', 'measurable-objectives', 'schedule']);

/** Runs the five safeguard checks of DOMAIN.md, in the order reviewers read them. */
export function runSafeguardChecks(program: ProgramSnapshot, ctx: SafeguardContext): CheckResult[] {
  return [
    restrictedPartyCheck(program, ctx.restrictedParties, ctx.restrictedListSize),
    measurableObjectivesCheck(program),
    scheduleCheck(program, ctx.maxYears ?? DEFAULT_MAX_YEARS),
    targetingCheck(program, ctx.priorityAreas),
    highValueCheck(program, ctx.highValueThresholdCents),
  ];
}

/** Two different reviewers must approve a high-value program; otherwise one suffices. */
export function requiredApprovals(checks: CheckResult[]): number {
  return checks.some((c) => c.name === 'high-value' && c.result !== 'PASS') ? 2 : 1;
}

/** The checks that forbid an APPROVE. */
export function blockingFailures(checks: CheckResult[]): CheckResult[] {
  return checks.filter((c) => c.blocking && c.result === 'FAIL');
}

/** A flagged check fails and blocks if it is one of the blocking kinds; anything else only warns. */
function flagged(name: CheckName, detail: string): CheckResult {
  return BLOCKING_CHECKS.has(name)
    ? { name, result: 'FAIL', blocking: true, detail }
    : { name, result: 'WARN', blocking: false, detail };
}

function passed(name: CheckName, detail: string): CheckResult {
  return { name, result: 'PASS', blocking: false, detail };
}

/** Also run again on undecided reviews when the restricted list changes (ReviewAggregate.rescreen). */
export function restrictedPartyCheck(program: ProgramSnapshot, parties: RestrictedPartyRef[], listSize: number): CheckResult {
  const partner = program.implementingPartner;
  const name = normalisePartyName(partner.name);
  const registrationId = normaliseRegistrationId(partner.registrationId ?? '');
  const matches = parties.flatMap((party) => {
    const on: string[] = [];
    if (name && normalisePartyName(party.name) === name) on.push(`name (normalised "${name}")`);
    // An absent id on either side is no evidence of a match.
    if (registrationId && normaliseRegistrationId(party.registrationId ?? '') === registrationId) {
      on.push(`registration id "${party.registrationId}"`);
    }
    return on.length ? [`restricted party "${party.name}" by ${on.join(' and ')}`] : [];
  });
  if (matches.length) {
    return flagged('restricted-party', `Implementing partner "${partner.name}" matches ${matches.join('; ')}.`);
  }
  return passed(
    'restricted-party',
    `Implementing partner "${partner.name}" matches none of the ${listSize} restricted parties.`,
  );
}

/** Snapshots arrive through events, so a field the type promises may still be missing at run time. */
function indicatorGaps(indicator: { unit?: unknown; baseline?: unknown; target?: unknown }): string[] {
  const gaps: string[] = [];
  if (typeof indicator.unit !== 'string' || !indicator.unit.trim()) gaps.push('a unit');
  if (!isFiniteNumber(indicator.baseline)) gaps.push('a numeric baseline');
  if (!isFiniteNumber(indicator.target)) gaps.push('a numeric target');
  return gaps;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function measurableObjectivesCheck(program: ProgramSnapshot): CheckResult {
  const objectives = program.objectives ?? [];
  if (!objectives.length) return flagged('measurable-objectives', 'The program has no objectives.');
  const problems = objectives.flatMap((objective, i) => {
    const label = `Objective ${i + 1} ("${objective.description}")`;
    const indicators = objective.indicators ?? [];
    if (!indicators.length) return [`${label} has no indicators`];
    const gaps = indicators.map((indicator) => ({ indicator, gaps: indicatorGaps(indicator) }));
    if (gaps.some((g) => !g.gaps.length)) return [];
    const lacks = gaps.map((g) => `indicator "${g.indicator.name}" lacks ${g.gaps.join(', ')}`);
    return [`${label} has no measurable indicator: ${lacks.join('; ')}`];
  });
  if (problems.length) return flagged('measurable-objectives', `${problems.join('. ')}.`);
  return passed(
    'measurable-objectives',
    `Each of the ${objectives.length} objectives has an indicator with a unit, ` +
      'a numeric baseline and a numeric target.',
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` calendar date as UTC midnight, or null when it is not a real date. */
function parseDate(text: string): Date | null {
  const parts = ISO_DATE.exec(text ?? '');
  if (!parts) return null;
  const date = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
  return date.toISOString().startsWith(text) ? date : null;
}

function scheduleCheck(program: ProgramSnapshot, maxYears: number): CheckResult {
  const problems: string[] = [];
  const start = parseDate(program.startDate);
  const end = parseDate(program.endDate);
  if (!start) problems.push(`startDate "${program.startDate}" is not a valid YYYY-MM-DD date`);
  if (!end) problems.push(`endDate "${program.endDate}" is not a valid YYYY-MM-DD date`);
  if (start && end) {
    const latestEnd = new Date(start);
    latestEnd.setUTCFullYear(start.getUTCFullYear() + maxYears);
    if (end <= start) {
      problems.push(`endDate ${program.endDate} is not after startDate ${program.startDate}`);
    } else if (end > latestEnd) {
      problems.push(
        `endDate ${program.endDate} is more than ${maxYears} years after startDate ${program.startDate} ` +
          `(latest allowed endDate ${latestEnd.toISOString().slice(0, 10)})`,
      );
    }
  }
  const cadence = program.assessmentCadenceDays;
  if (!Number.isInteger(cadence) || cadence < MIN_CADENCE_DAYS || cadence > MAX_CADENCE_DAYS) {
    problems.push(
      `assessmentCadenceDays ${cadence} is not a whole number of days ` +
        `between ${MIN_CADENCE_DAYS} and ${MAX_CADENCE_DAYS}`,
    );
  }
  if (problems.length) return flagged('schedule', `${problems.join('; ')}.`);
  return passed(
    'schedule',
    `Runs from ${program.startDate} to ${program.endDate} with an assessment every ${cadence} days.`,
  );
}

/** `priorityAreas`: the country's, or for a REGIONAL program those of every country and the region's own. */
function targetingCheck(program: ProgramSnapshot, priorityAreas: string[]): CheckResult {
  const targetAreas = program.targetAreas ?? [];
  const priority = new Set(priorityAreas.map(foldText));
  const hits = targetAreas.filter((area) => priority.has(foldText(area)));
  const of = program.country === 'REGIONAL' ? 'the region (SV, GT, HN and REGIONAL)' : program.country;
  if (hits.length) {
    return passed('targeting', `Targets priority areas of ${of}: ${hits.join(', ')}.`);
  }
  const targets = targetAreas.length ? targetAreas.join(', ') : 'none';
  const priorities = priorityAreas.length ? priorityAreas.join(', ') : 'none configured';
  return flagged('targeting', `No target area is a priority area of ${of}. Target areas: ${targets}. Priority areas: ${priorities}.`);
}

function highValueCheck(program: ProgramSnapshot, thresholdCents: number): CheckResult {
  const budget = formatUsd(program.budgetCents);
  const threshold = formatUsd(thresholdCents);
  if (program.budgetCents >= thresholdCents) {
    return flagged(
      'high-value',
      `Budget ${budget} is at or above the high-value threshold of ${threshold}: two different reviewers must approve.`,
    );
  }
  return passed(
    'high-value',
    `Budget ${budget} is below the high-value threshold of ${threshold}: one approval suffices.`,
  );
}
