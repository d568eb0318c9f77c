import type { ProgramSnapshot } from '#libs/contracts';
import { AccessDeniedError, InvalidTransitionError, RuleViolationError, ValidationError } from '#libs/core';
import { cleanContext, cleanProgram } from './program-snapshot.fixture.js';
import { ReviewAggregate, type Reviewer } from './review.aggregate.js';
import { restrictedPartyCheck, runSafeguardChecks } from './safeguard-checks.js';

const REVIEW_ID = '01890f3e-0000-7000-8000-0000000000aa';
const T0 = new Date('2026-03-01T10:00:00Z');
const T1 = new Date('2026-03-02T10:00:00Z');
const T2 = new Date('2026-03-03T10:00:00Z');
const RATIONALE = 'Indicators are measurable and the partner is clean.';
const alice: Reviewer = { id: 'user-alice', name: 'Alice Reviewer', org: 'USAID' };
const bruno: Reviewer = { id: 'user-bruno', org: 'Department of State' };

function openReview(program: ProgramSnapshot = cleanProgram()): ReviewAggregate {
  const review = ReviewAggregate.open(REVIEW_ID, program, 1, runSafeguardChecks(program, cleanContext), T0);
  review.pullEvents();
  return review;
}
const highValue = () => openReview(cleanProgram({ budgetCents: 600_000_000 }));

/** Runs a command expected to be refused and proves it changed nothing and recorded nothing. */
function refused(review: ReviewAggregate, command: () => void): unknown {
  review.pullEvents();
  const before = review.toState();
  let error: unknown;
  try {
    command();
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expect(review.toState()).toEqual(before);
  expect(review.pullEvents()).toEqual([]);
  return error;
}

describe('ReviewAggregate', () => {
  it('opens with the checks and the approvals they require', () => {
    const program = cleanProgram({ budgetCents: 600_000_000 });
    const checks = runSafeguardChecks(program, cleanContext);
    const review = ReviewAggregate.open(REVIEW_ID, program, 2, checks, T0);
    expect(review).toMatchObject({
      aggregateType: 'review',
      id: REVIEW_ID,
      programId: program.id,
      round: 2,
      status: 'OPEN',
      outcome: null,
      requiredApprovals: 2,
      openedAt: T0,
      version: 1,
    });
    expect(review.pullEvents()).toEqual([
      {
        type: 'review.opened',
        payload: { reviewId: REVIEW_ID, programId: program.id, round: 2, checks, requiredApprovals: 2 },
      },
    ]);
  });

  it('refuses to open a round below 1', () => {
    const program = cleanProgram();
    expect(() => ReviewAggregate.open(REVIEW_ID, program, 0, runSafeguardChecks(program, cleanContext), T0)).toThrow(
      ValidationError,
    );
  });

  it('completes an ordinary review with one APPROVE', () => {
    const review = openReview();
    review.decide(alice, 'APPROVE', `  ${RATIONALE}  `, T1);
    expect(review).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVED', completedAt: T1, version: 2 });
    expect(review.decisions).toEqual([
      { reviewerId: alice.id, reviewerName: 'Alice Reviewer', decision: 'APPROVE', rationale: RATIONALE, at: T1 },
    ]);
    expect(review.pullEvents()).toEqual([
      {
        type: 'review.decision-recorded',
        payload: {
          reviewId: REVIEW_ID,
          programId: review.programId,
          decision: 'APPROVE',
          rationale: RATIONALE,
          reviewerId: alice.id,
        },
      },
      {
        type: 'review.completed',
        payload: { reviewId: REVIEW_ID, programId: review.programId, outcome: 'APPROVED', rationale: RATIONALE },
      },
    ]);
  });

  describe('two-reviewer rule for high-value programs', () => {
    it('waits for a second reviewer after the first APPROVE', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      expect(review).toMatchObject({
        status: 'AWAITING_SECOND_REVIEW',
        outcome: null,
        completedAt: null,
        approvals: 1,
      });
      expect(review.pullEvents().map((e) => e.type)).toEqual(['review.decision-recorded']);
    });

    it('refuses the same reviewer twice', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      const error = refused(review, () => review.decide(alice, 'APPROVE', RATIONALE, T2));
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error).toMatchObject({ code: 'SEPARATION_OF_DUTIES', statusCode: 403, details: { programId: review.programId } });
    });

    it('completes APPROVED when a different reviewer approves second', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      review.decide(bruno, 'APPROVE', 'Second look: budget and schedule are sound.', T2);
      expect(review).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVED', completedAt: T2, approvals: 2 });
      expect(review.decisions.map((d) => d.reviewerId)).toEqual([alice.id, bruno.id]);
      expect(review.pullEvents().map((e) => e.type)).toEqual([
        'review.decision-recorded',
        'review.decision-recorded',
        'review.completed',
      ]);
    });

    it('ends at once on REJECT, even on the first decision', () => {
      const review = highValue();
      review.decide(alice, 'REJECT', 'The partner has no track record at this scale.', T1);
      expect(review).toMatchObject({ status: 'COMPLETED', outcome: 'REJECTED', completedAt: T1 });
      expect(review.pullEvents()[1]).toMatchObject({ type: 'review.completed', payload: { outcome: 'REJECTED' } });
    });

    it('ends at once on REQUEST_REVISION after one approval', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      review.decide(bruno, 'REQUEST_REVISION', 'Objective 1 needs a gender-disaggregated target.', T2);
      expect(review).toMatchObject({ status: 'COMPLETED', outcome: 'REVISION_REQUESTED', completedAt: T2 });
    });
  });

  describe('conflict of interest', () => {
    it('refuses the person who drafted the program', () => {
      const review = openReview();
      const error = refused(review, () => review.decide({ id: 'user-drafter' }, 'APPROVE', RATIONALE, T1));
      expect(error).toMatchObject({
        code: 'CONFLICT_OF_INTEREST',
        statusCode: 403,
        details: { reason: 'SELF_REVIEW', programId: review.programId },
      });
    });

    it("refuses a reviewer whose organisation is the implementing partner, however it is spelled", () => {
      const review = openReview();
      const insider = { id: 'user-insider', org: 'FUNDACION HORIZONTE LABORAL, S.A.' };
      const error = refused(review, () => review.decide(insider, 'REJECT', RATIONALE, T1));
      expect(error).toMatchObject({
        code: 'CONFLICT_OF_INTEREST',
        details: { reason: 'PARTNER_ORGANISATION', programId: review.programId },
      });
    });
  });

  it('refuses APPROVE while a blocking check fails, and changes nothing', () => {
    const review = openReview(
      cleanProgram({ assessmentCadenceDays: 10, implementingPartner: { name: 'Constructora Ejemplo', country: 'SV' } }),
    );
    const error = refused(review, () => review.decide(alice, 'APPROVE', RATIONALE, T1));
    expect(error).toBeInstanceOf(RuleViolationError);
    expect(error).toMatchObject({
      code: 'SAFEGUARD_BLOCKING',
      statusCode: 409,
      details: { failing: ['restricted-party', 'schedule'] },
    });
  });

  describe('rescreen, when the restricted list changes while the review is undecided', () => {
    const PARTY_ID = '01890f3e-0000-7000-8000-0000000000bb';
    const program = cleanProgram();
    const listed = [{ name: program.implementingPartner.name.toUpperCase(), registrationId: null }];

    it('fails the check once the partner is listed, so APPROVE is refused, and passes it again once unlisted', () => {
      const review = openReview(program);
      const previous = review.checks[0];
      const failing = restrictedPartyCheck(program, listed, 6);
      expect(failing).toMatchObject({ name: 'restricted-party', result: 'FAIL', blocking: true });

      expect(review.rescreen(failing, PARTY_ID)).toBe(true);
      expect(review.checks[0]).toEqual(failing);
      expect(review.pullEvents()).toEqual([
        { type: 'review.check-changed', payload: { reviewId: REVIEW_ID, programId: program.id, check: failing, previous, partyId: PARTY_ID } },
      ]);
      expect(refused(review, () => review.decide(alice, 'APPROVE', RATIONALE, T1))).toMatchObject({ code: 'SAFEGUARD_BLOCKING' });

      const passing = restrictedPartyCheck(program, [], 5);
      expect(review.rescreen(passing, PARTY_ID)).toBe(true);
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      expect(review.outcome).toBe('APPROVED');
    });

    it('blocks the second approval of a high-value review listed in between', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      review.rescreen(restrictedPartyCheck(review.snapshot, [{ name: review.snapshot.implementingPartner.name, registrationId: null }], 6), PARTY_ID);
      expect(refused(review, () => review.decide(bruno, 'APPROVE', RATIONALE, T2))).toMatchObject({ code: 'SAFEGUARD_BLOCKING' });
    });

    it('changes nothing on a decided review, or when the check reads the same', () => {
      const same = openReview(program);
      expect(same.rescreen(same.checks[0], PARTY_ID)).toBe(false);
      expect(same.pullEvents()).toEqual([]);

      const decided = openReview(program);
      decided.decide(alice, 'REJECT', RATIONALE, T1);
      decided.pullEvents();
      const before = decided.toState();
      expect(decided.rescreen(restrictedPartyCheck(program, listed, 6), PARTY_ID)).toBe(false);
      expect(decided.toState()).toEqual(before);
      expect(decided.pullEvents()).toEqual([]);
    });
  });

  it('still lets a reviewer reject a program whose checks block approval', () => {
    const review = openReview(cleanProgram({ assessmentCadenceDays: 10 }));
    review.decide(alice, 'REJECT', 'The schedule cannot be assessed as proposed.', T1);
    expect(review.outcome).toBe('REJECTED');
  });

  it.each(['too short', '   padded but short      ', ''])('refuses the rationale %p', (rationale) => {
    const review = openReview();
    const error = refused(review, () => review.decide(alice, 'APPROVE', rationale, T1));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([expect.objectContaining({ field: 'rationale' })]);
  });

  it('refuses an unknown decision', () => {
    const review = openReview();
    const error = refused(review, () => review.decide(alice, 'MAYBE' as never, RATIONALE, T1));
    expect((error as ValidationError).details).toEqual([expect.objectContaining({ field: 'decision' })]);
  });

  it('refuses a decision on a completed review', () => {
    const review = openReview();
    review.decide(alice, 'APPROVE', RATIONALE, T1);
    expect(refused(review, () => review.decide(bruno, 'REJECT', RATIONALE, T2))).toBeInstanceOf(InvalidTransitionError);
  });

  describe('cancel', () => {
    it('cancels an open review', () => {
      const review = openReview();
      review.cancel('program withdrawn', T1);
      expect(review).toMatchObject({
        status: 'CANCELLED',
        outcome: null,
        cancelledAt: T1,
        cancelReason: 'program withdrawn',
        version: 2,
      });
      expect(review.pullEvents()).toEqual([
        {
          type: 'review.cancelled',
          payload: { reviewId: REVIEW_ID, programId: review.programId, reason: 'program withdrawn' },
        },
      ]);
    });

    it('cancels a review awaiting its second reviewer, and then takes no decisions', () => {
      const review = highValue();
      review.decide(alice, 'APPROVE', RATIONALE, T1);
      review.cancel('program withdrawn', T2);
      expect(review.status).toBe('CANCELLED');
      const error = refused(review, () => review.decide(bruno, 'APPROVE', RATIONALE, T2));
      expect(error).toBeInstanceOf(InvalidTransitionError);
    });

    it('refuses to cancel a completed or cancelled review', () => {
      const completed = openReview();
      completed.decide(alice, 'REJECT', RATIONALE, T1);
      const error = refused(completed, () => completed.cancel('program withdrawn', T2));
      expect(error).toBeInstanceOf(InvalidTransitionError);
      const cancelled = openReview();
      cancelled.cancel('program withdrawn', T1);
      expect(refused(cancelled, () => cancelled.cancel('again', T2))).toBeInstanceOf(InvalidTransitionError);
    });
  });

  it('restores from its state, with dates that went through JSON', () => {
    const review = highValue();
    review.decide(alice, 'APPROVE', RATIONALE, T1);
    const state = review.toState();
    const restored = ReviewAggregate.restore(JSON.parse(JSON.stringify(state)));
    expect(restored.toState()).toEqual(state);
    expect(restored.pullEvents()).toEqual([]);
    restored.decide(bruno, 'APPROVE', RATIONALE, T2);
    expect(restored).toMatchObject({ status: 'COMPLETED', outcome: 'APPROVED', version: 3 });
  });

  it('hands out state that cannot change the aggregate', () => {
    const review = openReview();
    review.toState().decisions.push({ reviewerId: 'x', decision: 'APPROVE', rationale: RATIONALE, at: T1 });
    expect(review.decisions).toEqual([]);
  });
});
