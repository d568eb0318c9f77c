import { DomainError, InvalidTransitionError, ValidationError } from '#libs/core';
import { AssessmentPointAggregate, type OutcomeInput, type SchedulePointInput } from './assessment-point.aggregate.js';

const DAY_MS = 1000;
const GRACE_DAYS = 14;
const T0 = new Date('2027-03-01T08:00:00.000Z');
const day = (n: number) => new Date(T0.getTime() + n * DAY_MS);
/** The end of the points' plan. */
const END = day(365);
const INDICATORS = ['households with income above poverty line', 'youth trained'];
const NARRATIVE = 'Enrolment is on track in both departments.';

const planned = (overrides: Partial<SchedulePointInput> = {}) =>
  AssessmentPointAggregate.schedule(
    { id: 'a-1', programId: 'p-1', dueAt: day(90), kind: 'PLANNED', sequence: 1, ...overrides },
    GRACE_DAYS,
    DAY_MS,
    T0,
  );
const due = () => {
  const point = planned();
  point.markDue(day(90));
  point.pullEvents();
  return point;
};
const outcome = (overrides: Partial<OutcomeInput> = {}): OutcomeInput => ({
  outcome: 'CONTINUE',
  narrative: NARRATIVE,
  indicatorResults: [{ indicator: 'youth trained', value: 340 }],
  by: { id: 'reviewer-1', name: 'Carla Méndez' },
  ...overrides,
});
const eventTypes = (point: AssessmentPointAggregate) => point.pullEvents().map((e) => e.type);

describe('AssessmentPointAggregate', () => {
  describe('schedule', () => {
    it('makes a planned point SCHEDULED, overdue a grace period after its due date', () => {
      const point = planned();
      expect(point.toState()).toMatchObject({
        status: 'SCHEDULED',
        sequence: 1,
        kind: 'PLANNED',
        dueAt: day(90),
        overdueAt: day(104),
        version: 1,
      });
      expect(point.pullEvents()).toEqual([
        {
          type: 'assessment.scheduled',
          payload: { assessmentId: 'a-1', programId: 'p-1', dueAt: day(90).toISOString(), kind: 'PLANNED', reason: null },
        },
      ]);
    });

    it('makes an ad-hoc point DUE at once, recording both events in one command', () => {
      const point = AssessmentPointAggregate.schedule(
        { id: 'a-2', programId: 'p-1', dueAt: T0, kind: 'AD_HOC', reason: ' flood in the target area ' },
        GRACE_DAYS,
        DAY_MS,
        T0,
      );
      expect(point.toState()).toMatchObject({ status: 'DUE', sequence: null, reason: 'flood in the target area', version: 1 });
      expect(point.history.map((h) => h.status)).toEqual(['SCHEDULED', 'DUE']);
      expect(eventTypes(point)).toEqual(['assessment.scheduled', 'assessment.due']);
    });

    it.each<[string, Partial<SchedulePointInput>, string]>([
      ['an ad-hoc point without a reason', { kind: 'AD_HOC', sequence: null, dueAt: T0, reason: '  ' }, 'reason'],
      ['an ad-hoc point due later', { kind: 'AD_HOC', sequence: null, reason: 'site visit' }, 'dueAt'],
      ['a planned point without a sequence', { sequence: null }, 'sequence'],
      ['a follow-up with a sequence', { kind: 'FOLLOW_UP', sequence: 2, followUpOf: 'a-1' }, 'sequence'],
      ['a follow-up that names no point it follows', { kind: 'FOLLOW_UP', sequence: null }, 'followUpOf'],
      ['a planned point that names one', { followUpOf: 'a-1' }, 'followUpOf'],
      ['an invalid due date', { dueAt: new Date('nope') }, 'dueAt'],
    ])('refuses %s', (_, overrides, field) => {
      expect(() => planned(overrides)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })] }),
      );
    });
  });

  describe('due and overdue timers', () => {
    it('makes a SCHEDULED point DUE once, and ignores the timer firing again', () => {
      const point = planned();
      point.pullEvents();

      expect(point.markDue(day(90))).toBe(true);
      expect(point.pullEvents()).toEqual([
        { type: 'assessment.due', payload: { assessmentId: 'a-1', programId: 'p-1', dueAt: day(90).toISOString() } },
      ]);
      expect(point.markDue(day(91))).toBe(false);
      expect(point.pullEvents()).toEqual([]);
      expect(point.toState()).toMatchObject({ status: 'DUE', version: 2 });
    });

    it('ignores a due timer that fires before the due date (a stale timer of a rescheduled point)', () => {
      const point = planned();
      expect(point.markDue(day(89))).toBe(false);
      expect(point.status).toBe('SCHEDULED');
    });

    it('makes a DUE point OVERDUE after the grace period, once', () => {
      const point = due();
      expect(point.markOverdue(day(103))).toBe(false);
      expect(point.markOverdue(day(104))).toBe(true);
      expect(point.markOverdue(day(110))).toBe(false);
      expect(point.pullEvents()).toEqual([
        { type: 'assessment.overdue', payload: { assessmentId: 'a-1', programId: 'p-1', dueAt: day(90).toISOString() } },
      ]);
      expect(point.toState()).toMatchObject({ status: 'OVERDUE', version: 3 });
    });

    it('ignores an overdue timer on a point that is not DUE', () => {
      const scheduled = planned();
      expect(scheduled.markOverdue(day(200))).toBe(false);

      const completed = due();
      completed.recordOutcome(outcome(), INDICATORS, day(95));
      completed.pullEvents();
      expect(completed.markOverdue(day(200))).toBe(false);
      expect(completed.markDue(day(200))).toBe(false);
      expect(completed.pullEvents()).toEqual([]);
      expect(completed.status).toBe('COMPLETED');
    });
  });

  describe('reschedule', () => {
    it('moves a SCHEDULED point and its overdue date', () => {
      const point = planned();
      point.pullEvents();
      point.reschedule(day(120), 'partner asked for after harvest', day(10), END);

      expect(point.toState()).toMatchObject({ dueAt: day(120), overdueAt: day(134), status: 'SCHEDULED', version: 2 });
      expect(point.pullEvents()).toEqual([
        {
          type: 'assessment.rescheduled',
          payload: {
            assessmentId: 'a-1',
            programId: 'p-1',
            previousDueAt: day(90).toISOString(),
            dueAt: day(120).toISOString(),
            reason: 'partner asked for after harvest',
          },
        },
      ]);
      expect(point.markDue(day(90))).toBe(false);
      expect(point.markDue(day(120))).toBe(true);
    });

    it('refuses a due date that is not in the future', () => {
      const point = planned();
      const reschedule = () => point.reschedule(day(10), 'too late', day(10), END);
      expect(reschedule).toThrow(ValidationError);
      expect(reschedule).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'dueAt' })] }));
      expect(point.dueAt).toEqual(day(90));
    });

    it('refuses an empty reason', () => {
      expect(() => planned().reschedule(day(120), '', day(10), END)).toThrow(
        expect.objectContaining({ details: [expect.objectContaining({ field: 'reason' })] }),
      );
    });

    it("refuses a date past the end of the program's plan, except to move a point that already lies beyond it earlier", () => {
      const point = planned();
      expect(() => point.reschedule(day(366), 'after the program, please', day(10), END)).toThrow(
        expect.objectContaining({ details: [{ field: 'dueAt', problems: [expect.stringContaining(END.toISOString())] }] }),
      );
      point.reschedule(END, 'on the last day', day(10), END);
      expect(point.dueAt).toEqual(END);
      // A follow-up 30 days after an ADJUST near the end lies beyond it: it may come earlier, not later.
      const followUp = planned({ dueAt: day(380) });
      followUp.reschedule(day(370), 'earlier', day(10), END);
      expect(followUp.dueAt).toEqual(day(370));
      expect(() => followUp.reschedule(day(371), 'later again', day(10), END)).toThrow(ValidationError);
    });

    it('refuses a point that is no longer SCHEDULED', () => {
      expect(() => due().reschedule(day(120), 'later please', day(91), END)).toThrow(InvalidTransitionError);
    });
  });

  describe('recordOutcome', () => {
    it('completes a DUE point with its results', () => {
      const point = due();
      point.recordOutcome(
        outcome({ outcome: 'STRENGTHEN', requiredActions: [' hire a second trainer '], narrative: `  ${NARRATIVE}  ` }),
        INDICATORS,
        day(95),
      );

      expect(point.toState()).toMatchObject({
        status: 'COMPLETED',
        outcome: 'STRENGTHEN',
        narrative: NARRATIVE,
        requiredActions: ['hire a second trainer'],
        completedBy: 'reviewer-1',
        completedByName: 'Carla Méndez',
        completedAt: day(95),
        version: 3,
      });
      expect(point.pullEvents()).toEqual([
        {
          type: 'assessment.completed',
          payload: {
            followUpAssessmentId: null,
            assessmentId: 'a-1',
            programId: 'p-1',
            outcome: 'STRENGTHEN',
            narrative: NARRATIVE,
            indicatorResults: [{ indicator: 'youth trained', value: 340 }],
            requiredActions: ['hire a second trainer'],
          },
        },
      ]);
    });

    it('completes an OVERDUE point', () => {
      const point = due();
      point.markOverdue(day(104));
      point.recordOutcome(outcome({ outcome: 'ADJUST' }), INDICATORS, day(105));
      expect(point.status).toBe('COMPLETED');
    });

    it('refuses a point that is not yet due', () => {
      const point = planned();
      expect(() => point.recordOutcome(outcome(), INDICATORS, day(10))).toThrow(InvalidTransitionError);
      expect(() => point.recordOutcome(outcome(), INDICATORS, day(10))).toThrow(/cannot record an outcome/);
    });

    it('refuses indicators the program does not have, with a 400 naming them', () => {
      const point = due();
      const record = () =>
        point.recordOutcome(
          outcome({ indicatorResults: [{ indicator: 'youth trained', value: 1 }, { indicator: 'trees planted', value: 9 }] }),
          INDICATORS,
          day(95),
        );
      expect(record).toThrow(DomainError);
      expect(record).toThrow(
        expect.objectContaining({ code: 'UNKNOWN_INDICATOR', statusCode: 400, details: expect.objectContaining({ unknown: ['trees planted'] }) }),
      );
      expect(point.status).toBe('DUE');
      expect(point.pullEvents()).toEqual([]);
    });

    it.each<[string, Partial<OutcomeInput>, string]>([
      ['a narrative under 20 characters', { narrative: '   all fine here   ' }, 'narrative'],
      ['a value that is not a finite number', { indicatorResults: [{ indicator: 'youth trained', value: Number.NaN }] }, 'indicatorResults.0.value'],
      [
        'an indicator reported twice',
        { indicatorResults: [{ indicator: 'youth trained', value: 1 }, { indicator: 'youth trained', value: 2 }] },
        'indicatorResults.1.indicator',
      ],
      ['STRENGTHEN without a required action', { outcome: 'STRENGTHEN', requiredActions: [] }, 'requiredActions'],
      ['no indicator result at all', { indicatorResults: [] }, 'indicatorResults'],
      ['an unknown outcome', { outcome: 'PAUSE' as OutcomeInput['outcome'] }, 'outcome'],
    ])('refuses %s, changing nothing', (_, overrides, field) => {
      const point = due();
      expect(() => point.recordOutcome(outcome(overrides), INDICATORS, day(95))).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })] }),
      );
      expect(point.toState()).toMatchObject({ status: 'DUE', outcome: null, version: 2 });
    });
  });

  describe('cancel', () => {
    it.each(['SCHEDULED', 'DUE', 'OVERDUE'])('cancels a %s point', (status) => {
      const point = planned();
      if (status !== 'SCHEDULED') point.markDue(day(90));
      if (status === 'OVERDUE') point.markOverdue(day(104));
      point.pullEvents();

      expect(point.cancel('program discontinued', day(110))).toBe(true);
      expect(point.toState()).toMatchObject({ status: 'CANCELLED', cancelledReason: 'program discontinued' });
      expect(point.pullEvents()).toEqual([
        { type: 'assessment.cancelled', payload: { assessmentId: 'a-1', programId: 'p-1', reason: 'program discontinued' } },
      ]);
    });

    it('does nothing to a COMPLETED or already CANCELLED point', () => {
      const completed = due();
      completed.recordOutcome(outcome(), INDICATORS, day(95));
      completed.pullEvents();
      expect(completed.cancel('program closed', day(100))).toBe(false);
      expect(completed.status).toBe('COMPLETED');

      const cancelled = planned();
      cancelled.cancel('program closed', day(1));
      cancelled.pullEvents();
      expect(cancelled.cancel('program closed', day(2))).toBe(false);
      expect(cancelled.pullEvents()).toEqual([]);
      expect(cancelled.version).toBe(2);
    });
  });

  it('restores from its state as read back from JSON and carries on', () => {
    const point = due();
    const restored = AssessmentPointAggregate.restore(JSON.parse(JSON.stringify(point.toState())));
    expect(restored.toState()).toEqual(point.toState());

    expect(restored.markOverdue(day(104))).toBe(true);
    expect(restored.history.map((h) => h.action)).toEqual(['scheduled', 'due', 'overdue']);
  });
});
