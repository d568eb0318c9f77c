import { InvalidTransitionError, ValidationError } from '#libs/core';
import { AssessmentPlan, planPoints, replanFuture, type ExistingPoint } from './assessment-plan.js';
import { DEFAULT_DAY_MS } from './day-clock.js';

const ONE_YEAR = { startDate: '2027-01-01', endDate: '2027-12-31' };
const iso = (points: Array<{ dueAt: Date }>) => points.map((p) => p.dueAt.toISOString());

describe('planPoints', () => {
  it('gives a one-year program with a 90-day cadence 4 points, counted in days of dayMs = 1000 from its start', () => {
    const approvedAt = new Date('2026-11-27T21:00:00.000Z'); // approved 35 days ahead of the start
    const points = planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 90, dayMs: 1000 });

    expect(points.map((p) => p.sequence)).toEqual([1, 2, 3, 4]);
    expect(points.map((p) => p.dueAt.getTime() - approvedAt.getTime())).toEqual([125_000, 215_000, 305_000, 395_000]);
  });

  it.each([
    ['on the day it starts', '2027-01-01T09:00:00.000Z'],
    // None before it starts, none of its last months left out.
    ['months ahead of its start', '2026-07-01T09:00:00.000Z'],
  ])('gives the same 4 points on real calendar days, over its run, to a program approved %s', (_when, approved) => {
    const approvedAt = new Date(approved);
    const points = planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 90, dayMs: DEFAULT_DAY_MS });

    expect(iso(points)).toEqual([
      '2027-04-01T09:00:00.000Z',
      '2027-06-30T09:00:00.000Z',
      '2027-09-28T09:00:00.000Z',
      '2027-12-27T09:00:00.000Z',
    ]);
  });

  it('counts the span from the approval date when the program was approved after it started', () => {
    const approvedAt = new Date('2027-07-01T12:00:00.000Z'); // 183 days before the end date
    const points = planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 90, dayMs: 1000 });
    expect(points.map((p) => p.dueAt.getTime() - approvedAt.getTime())).toEqual([90_000, 180_000]);
  });

  it('may put the last point on the end date, never after it', () => {
    const approvedAt = new Date('2027-01-01T00:00:00.000Z');
    expect(iso(planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 91, dayMs: DEFAULT_DAY_MS })).at(-1)).toBe(
      '2027-12-31T00:00:00.000Z',
    );
    expect(planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 365, dayMs: DEFAULT_DAY_MS })).toEqual([]);
  });

  it('plans nothing for a program that has already ended', () => {
    const approvedAt = new Date('2028-02-01T00:00:00.000Z');
    expect(planPoints({ approvedAt, ...ONE_YEAR, cadenceDays: 30, dayMs: 1000 })).toEqual([]);
  });

  it.each([29, 366, 90.5])('refuses a cadence of %p days', (cadenceDays) => {
    const plan = () => planPoints({ approvedAt: new Date(), ...ONE_YEAR, cadenceDays, dayMs: 1000 });
    expect(plan).toThrow(ValidationError);
    expect(plan).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'cadenceDays' })] }));
  });

  it('refuses a date that does not exist', () => {
    expect(() =>
      planPoints({ approvedAt: new Date(), startDate: '2027-02-30', endDate: '2027-12-31', cadenceDays: 90, dayMs: 1000 }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'startDate' })] }));
  });
});

describe('AssessmentPlan', () => {
  const approvedAt = new Date('2027-01-01T10:00:00.000Z'); // on the day the program starts
  const dayMs = 1000;
  const at = (days: number) => new Date(approvedAt.getTime() + days * dayMs);
  const create = () =>
    AssessmentPlan.create({ programId: 'p-1', approvedAt, ...ONE_YEAR, cadenceDays: 90 }, dayMs);

  it('keeps the span of the program on the configured clock, with a 14-day grace period by default', () => {
    const { plan, points } = create();
    expect(plan.toState()).toEqual({
      programId: 'p-1',
      cadenceDays: 90,
      graceDays: 14,
      approvedAt,
      startAt: approvedAt,
      endAt: at(364),
      status: 'ACTIVE',
      closedAt: null,
      version: 1,
    });
    expect(points).toHaveLength(4);
  });

  it('starts the span of a program approved ahead of its start on its start date, on the configured clock', () => {
    const early = new Date('2026-12-15T10:00:00.000Z'); // 17 days ahead
    const { plan, points } = AssessmentPlan.create({ programId: 'p-1', approvedAt: early, ...ONE_YEAR, cadenceDays: 90 }, dayMs);
    const after = (days: number) => new Date(early.getTime() + days * dayMs);

    expect(plan.toState()).toMatchObject({ approvedAt: early, startAt: after(17), endAt: after(17 + 364) });
    expect(points.map((p) => p.dueAt)).toEqual([after(107), after(197), after(287), after(377)]);
  });

  it('restores from its state as read back from JSON', () => {
    const { plan } = create();
    const restored = AssessmentPlan.restore(JSON.parse(JSON.stringify(plan.toState())));
    expect(restored.toState()).toEqual(plan.toState());
  });

  describe('changing the cadence', () => {
    const point = (id: string, days: number, status: ExistingPoint['status'], kind: ExistingPoint['kind'] = 'PLANNED') => ({
      id,
      sequence: kind === 'PLANNED' ? Number(id.slice(1)) : null,
      kind,
      status,
      dueAt: at(days),
    });
    const now = at(100);
    const existing = [
      point('s1', 90, 'DUE'),
      point('s2', 180, 'SCHEDULED'),
      point('s3', 270, 'SCHEDULED'),
      point('s4', 360, 'SCHEDULED'),
      point('f', 120, 'SCHEDULED', 'FOLLOW_UP'),
    ];

    it('moves only future SCHEDULED planned points, keeping those already at a date the new cadence wants', () => {
      const { keep, cancel, create: made } = replanFuture(existing, 60, now, { startAt: approvedAt, endAt: at(364) }, dayMs);

      expect(keep.map((p) => p.id)).toEqual(['s1', 's2', 's4', 'f']);
      expect(cancel.map((p) => p.id)).toEqual(['s3']);
      expect(made).toEqual([
        { sequence: 5, dueAt: at(120) },
        { sequence: 6, dueAt: at(240) },
        { sequence: 7, dueAt: at(300) },
      ]);
    });

    it('leaves DUE, OVERDUE, COMPLETED, CANCELLED and not-yet-fired past points alone', () => {
      const settled = [
        point('s1', 90, 'COMPLETED'),
        point('s2', 95, 'SCHEDULED'), // its timer has not fired yet
        point('s3', 100, 'OVERDUE'),
        point('s4', 180, 'CANCELLED'),
      ];
      const { keep, cancel, create: made } = replanFuture(settled, 120, now, { startAt: approvedAt, endAt: at(364) }, dayMs);

      expect(keep).toEqual(settled);
      expect(cancel).toEqual([]);
      expect(made).toEqual([
        { sequence: 5, dueAt: at(120) },
        { sequence: 6, dueAt: at(240) },
        { sequence: 7, dueAt: at(360) },
      ]);
    });

    it('sets the cadence on the plan and returns the replan', () => {
      const { plan } = create();
      const replan = plan.changeCadence(120, existing, now, dayMs);

      expect(plan.cadenceDays).toBe(120);
      expect(plan.version).toBe(2);
      expect(replan.cancel.map((p) => p.id)).toEqual(['s2', 's3']);
      expect(replan.create.map((p) => p.dueAt)).toEqual([at(120), at(240)]);
    });

    it('is refused once the plan is closed, and refuses a cadence out of range without changing the plan', () => {
      const { plan } = create();
      expect(() => plan.changeCadence(20, existing, now, dayMs)).toThrow(ValidationError);
      expect(plan.toState()).toMatchObject({ cadenceDays: 90, version: 1 });

      expect(plan.close(now)).toBe(true);
      expect(plan.close(now)).toBe(false);
      expect(() => plan.changeCadence(60, existing, now, dayMs)).toThrow(InvalidTransitionError);
      expect(plan.toState()).toMatchObject({ status: 'CLOSED', closedAt: now, cadenceDays: 90, version: 2 });
    });
  });
});
