import { PROGRAM_STATUSES, type ProgramStatus } from '#libs/contracts';
import { AccessDeniedError, InvalidTransitionError, StaleVersionError, ValidationError } from '#libs/core';
import type { ProgramInput } from './program-input.js';
import {
  PROGRAM_COMMANDS,
  PROGRAM_TRANSITIONS,
  ProgramAggregate,
  type ProgramCommand,
  type ProgramState,
} from './program.aggregate.js';

const PROGRAM_ID = '0190a8b0-0000-7000-8000-000000000001';
const REVIEW_1 = '0190a8b0-0000-7000-8000-0000000000a1';
const REVIEW_2 = '0190a8b0-0000-7000-8000-0000000000a2';
const ASSESSMENT_ID = '0190a8b0-0000-7000-8000-0000000000b1';
const CREATOR = { id: 'gm-ana', name: 'Ana Morales' };
const OTHER_MANAGER = { id: 'gm-luis' };
const REVIEWER = { id: 'rv-sofia', name: 'Sofía Herrera' };
const SYSTEM = 'system:proposals';
const RATIONALE = 'Indicators are measurable and the partner is clear.';
const T0 = new Date('2025-03-01T09:00:00.000Z');
const T1 = new Date('2025-03-02T10:30:00.000Z');

const input = (): ProgramInput => ({
  title: 'Youth employment in western Honduras',
  summary: 'Vocational training and job placement for young people in high out-migration areas.',
  country: 'HN',
  pillar: 'I',
  objectives: [
    {
      description: 'Place trained youth in formal jobs',
      indicators: [
        { name: 'youth placed', unit: 'people', baseline: 0, target: 1200 },
        { name: 'retention at 6 months', unit: '%', baseline: 0, target: 70 },
      ],
    },
    { description: 'Train instructors', indicators: [{ name: 'instructors certified', unit: 'people', baseline: 5, target: 60 }] },
  ],
  targetAreas: ['Copán', 'Lempira'],
  implementingPartner: { name: 'Fundación Futuro', registrationId: 'HN-0042', country: 'HN' },
  budgetCents: 250_000_000,
  cofunding: [{ partner: 'Municipality of Gracias', amountCents: 10_000_000 }],
  startDate: '2025-06-01',
  endDate: '2027-05-31',
});

const drafted = () => ProgramAggregate.draft(input(), CREATOR, PROGRAM_ID, T0);

/** A program sitting in `status`, as the repository would load it, with nothing pending. */
function inState(status: ProgramStatus): ProgramAggregate {
  const state: ProgramState = {
    ...drafted().toState(),
    status,
    version: 7,
    round: status === 'DRAFT' ? 0 : 1,
    currentReviewId: ['DRAFT', 'SUBMITTED'].includes(status) ? null : REVIEW_1,
  };
  return ProgramAggregate.restore(state);
}

/** Each command with arguments that are valid apart from the state, so the table alone decides. */
const RUN: Record<ProgramCommand, (p: ProgramAggregate) => void> = {
  revise: (p) => p.revise({ title: 'Youth employment in Copán and Lempira' }, p.version, CREATOR, T1),
  submit: (p) => p.submit(CREATOR, T1),
  withdraw: (p) => p.withdraw('Partner lost its registration', CREATOR, T1),
  markUnderReview: (p) => p.markUnderReview(REVIEW_1, p.round, T1),
  approve: (p) => p.completeReview(REVIEW_1, 'APPROVED', RATIONALE, REVIEWER, T1),
  requestRevision: (p) => p.completeReview(REVIEW_1, 'REVISION_REQUESTED', RATIONALE, REVIEWER, T1),
  reject: (p) => p.completeReview(REVIEW_1, 'REJECTED', RATIONALE, REVIEWER, T1),
  suspend: (p) => p.suspend('Credible fraud allegation under investigation', REVIEWER, T1),
  reinstate: (p) => p.reinstate('Investigation closed without findings', REVIEWER, T1),
  close: (p) => p.close('All objectives met', OTHER_MANAGER, T1),
  discontinue: (p) => p.discontinue('Assessment found no progress', ASSESSMENT_ID, REVIEWER, T1),
};

/** Asserts that `act` throws `error` and leaves the program exactly as it was. */
function expectRefused(p: ProgramAggregate, act: () => void, error: new (...args: never[]) => Error): void {
  p.pullEvents();
  const before = p.toState();
  expect(act).toThrow(error);
  expect(p.toState()).toEqual(before);
  expect(p.pullEvents()).toEqual([]);
}

/** The error `act` throws; fails the test if it throws nothing. */
function thrown(act: () => void): unknown {
  try {
    act();
  } catch (e) {
    return e;
  }
  throw new Error('expected the command to be refused');
}

const types = (p: ProgramAggregate) => p.pullEvents().map((e) => e.type);

describe('ProgramAggregate', () => {
  describe('transition table', () => {
    it('is the state diagram of DOMAIN.md', () => {
      const edges = PROGRAM_COMMANDS.flatMap((c) => {
        const { from, to, event } = PROGRAM_TRANSITIONS[c];
        return from.map((f) => `${f} --${c}--> ${to ?? f} (${event})`);
      });
      expect(edges.sort()).toEqual(
        [
          'DRAFT --revise--> DRAFT (program.revised)',
          'REVISION_REQUESTED --revise--> REVISION_REQUESTED (program.revised)',
          'DRAFT --submit--> SUBMITTED (program.submitted)',
          'REVISION_REQUESTED --submit--> SUBMITTED (program.submitted)',
          'SUBMITTED --markUnderReview--> UNDER_REVIEW (program.under-review)',
          'UNDER_REVIEW --approve--> APPROVED (program.approved)',
          'UNDER_REVIEW --requestRevision--> REVISION_REQUESTED (program.revision-requested)',
          'UNDER_REVIEW --reject--> REJECTED (program.rejected)',
          'DRAFT --withdraw--> WITHDRAWN (program.withdrawn)',
          'SUBMITTED --withdraw--> WITHDRAWN (program.withdrawn)',
          'UNDER_REVIEW --withdraw--> WITHDRAWN (program.withdrawn)',
          'REVISION_REQUESTED --withdraw--> WITHDRAWN (program.withdrawn)',
          'APPROVED --suspend--> SUSPENDED (program.suspended)',
          'SUSPENDED --reinstate--> APPROVED (program.reinstated)',
          'APPROVED --discontinue--> DISCONTINUED (program.discontinued)',
          'SUSPENDED --discontinue--> DISCONTINUED (program.discontinued)',
          'APPROVED --close--> CLOSED (program.closed)',
        ].sort(),
      );
    });

    const pairs = PROGRAM_STATUSES.flatMap((s) => PROGRAM_COMMANDS.map((c) => [s, c] as const));

    it.each(pairs)('%s + %s follows the table', (status, command) => {
      const program = inState(status);
      const { from, to, event } = PROGRAM_TRANSITIONS[command];
      if (!(from as readonly ProgramStatus[]).includes(status)) {
        expectRefused(program, () => RUN[command](program), InvalidTransitionError);
        return;
      }
      const historyBefore = program.statusHistory.length;
      RUN[command](program);
      expect(program.status).toBe(to ?? status);
      expect(program.version).toBe(8);
      expect(types(program)).toEqual([event]);
      expect(program.statusHistory).toHaveLength(to === null ? historyBefore : historyBefore + 1);
    });

    it.each(['REJECTED', 'WITHDRAWN', 'DISCONTINUED', 'CLOSED'] as const)('%s is final: every command is refused', (status) => {
      for (const command of PROGRAM_COMMANDS) {
        const program = inState(status);
        expectRefused(program, () => RUN[command](program), InvalidTransitionError);
      }
    });
  });

  describe('draft', () => {
    it('creates a DRAFT at version 1 with defaults and records program.drafted with the snapshot', () => {
      const program = drafted();
      expect(program.status).toBe('DRAFT');
      expect(program.version).toBe(1);
      expect(program.round).toBe(0);
      expect(program.createdBy).toBe(CREATOR.id);
      const state = program.toState();
      expect(state.createdByName).toBe('Ana Morales');
      // Restored as the repository loads it, the name survives.
      expect(ProgramAggregate.restore(state).toState().createdByName).toBe('Ana Morales');
      expect(state.assessmentCadenceDays).toBe(90);
      expect(state.createdAt).toBe(T0.toISOString());
      expect(program.statusHistory).toEqual([{ status: 'DRAFT', at: T0.toISOString(), by: 'gm-ana', byName: 'Ana Morales', reason: null }]);
      expect(program.pullEvents()).toEqual([
        { type: 'program.drafted', payload: { programId: PROGRAM_ID, program: program.toSnapshot() } },
      ]);
      expect(program.toSnapshot()).toMatchObject({ id: PROGRAM_ID, version: 1, createdBy: CREATOR.id, budgetCents: 250_000_000 });
    });

    it('defaults cofunding to none and keeps a given cadence', () => {
      const { cofunding: _omitted, ...rest } = input();
      const program = ProgramAggregate.draft({ ...rest, assessmentCadenceDays: 180 }, CREATOR, PROGRAM_ID, T0);
      expect(program.toSnapshot()).toMatchObject({ cofunding: [], assessmentCadenceDays: 180 });
    });

    it('refuses a program that breaks the field rules', () => {
      expect(() =>
        ProgramAggregate.draft({ ...input(), objectives: [], assessmentCadenceDays: 400 }, CREATOR, PROGRAM_ID, T0),
      ).toThrow(ValidationError);
    });
  });

  it('runs the whole workflow over two review rounds', () => {
    const program = drafted();
    expect(types(program)).toEqual(['program.drafted']);

    program.submit(CREATOR, T1);
    expect(program.round).toBe(1);
    const [submitted] = program.pullEvents();
    expect(submitted).toEqual({
      type: 'program.submitted',
      payload: { programId: PROGRAM_ID, program: program.toSnapshot(), round: 1 },
    });

    program.markUnderReview(REVIEW_1, 1, T1);
    expect(program.currentReviewId).toBe(REVIEW_1);
    expect(program.pullEvents()).toEqual([
      { type: 'program.under-review', payload: { programId: PROGRAM_ID, reviewId: REVIEW_1, round: 1 } },
    ]);

    program.completeReview(REVIEW_1, 'REVISION_REQUESTED', RATIONALE, REVIEWER, T1);
    expect(program.pullEvents()).toEqual([
      { type: 'program.revision-requested', payload: { programId: PROGRAM_ID, reviewId: REVIEW_1, rationale: RATIONALE } },
    ]);

    program.revise({ budgetCents: 200_000_000 }, program.version, CREATOR, T1);
    expect(program.status).toBe('REVISION_REQUESTED');

    program.submit(CREATOR, T1);
    expect(program.round).toBe(2);
    expect(program.currentReviewId).toBeNull();
    const [resubmitted] = program.pullEvents().slice(-1);
    expect(resubmitted.payload).toMatchObject({ round: 2, program: { budgetCents: 200_000_000, version: 6 } });

    program.markUnderReview(REVIEW_2, 2, T1);
    program.completeReview(REVIEW_2, 'APPROVED', RATIONALE, REVIEWER, T1);
    expect(program.status).toBe('APPROVED');
    expect(program.version).toBe(8);
    expect(program.pullEvents()).toEqual([
      { type: 'program.under-review', payload: { programId: PROGRAM_ID, reviewId: REVIEW_2, round: 2 } },
      {
        type: 'program.approved',
        payload: {
          programId: PROGRAM_ID,
          reviewId: REVIEW_2,
          budgetCents: 200_000_000,
          startDate: '2025-06-01',
          endDate: '2027-05-31',
          assessmentCadenceDays: 90,
          indicators: ['youth placed', 'retention at 6 months', 'instructors certified'],
          country: 'HN',
          pillar: 'I',
          title: 'Youth employment in western Honduras',
          createdBy: CREATOR.id,
          partnerName: 'Fundación Futuro',
          partnerRegistrationId: 'HN-0042',
        },
      },
    ]);
    expect(program.statusHistory.map((h) => h.status)).toEqual([
      'DRAFT',
      'SUBMITTED',
      'UNDER_REVIEW',
      'REVISION_REQUESTED',
      'SUBMITTED',
      'UNDER_REVIEW',
      'APPROVED',
    ]);
  });

  describe('revise', () => {
    it('applies the changes and names only the fields that really changed', () => {
      const program = drafted();
      program.pullEvents();
      const partner = input().implementingPartner;
      program.revise(
        {
          summary: 'A sharper summary of the same program.',
          // same partner, keys in another order: not a change
          implementingPartner: { country: partner.country, registrationId: partner.registrationId, name: partner.name },
          title: input().title,
          cofunding: undefined,
        },
        1,
        CREATOR,
        T1,
      );
      expect(program.version).toBe(2);
      const [revised] = program.pullEvents();
      expect(revised).toEqual({
        type: 'program.revised',
        payload: { programId: PROGRAM_ID, program: program.toSnapshot(), changedFields: ['summary'] },
      });
      expect(program.toState()).toMatchObject({ summary: 'A sharper summary of the same program.', updatedAt: T1.toISOString() });
      expect(program.toState().cofunding).toEqual(input().cofunding);
    });

    it('accepts a revision that changes nothing without a new version or event', () => {
      const program = drafted();
      program.pullEvents();
      program.revise({ title: input().title }, 1, CREATOR, T1);
      expect(program.version).toBe(1);
      expect(program.pullEvents()).toEqual([]);
    });

    it('refuses a stale version with STALE_VERSION and changes nothing', () => {
      const program = drafted();
      program.revise({ title: 'Second title' }, 1, CREATOR, T1);
      expectRefused(program, () => program.revise({ title: 'Third title' }, 1, CREATOR, T1), StaleVersionError);
      expect(thrown(() => program.revise({ title: 'Third title' }, 1, CREATOR, T1))).toMatchObject({
        code: 'STALE_VERSION',
        statusCode: 409,
        details: { expectedVersion: 1, currentVersion: 2 },
      });
    });

    it('refuses a revision that would break the field rules and changes nothing', () => {
      const program = drafted();
      expectRefused(program, () => program.revise({ budgetCents: 12.5 }, 1, CREATOR, T1), ValidationError);
    });

    it('checks the state first, then the creator, then the version', () => {
      const submitted = inState('SUBMITTED');
      expectRefused(submitted, () => submitted.revise({ title: 'x' }, 1, OTHER_MANAGER, T1), InvalidTransitionError);
      const draft = drafted();
      expectRefused(draft, () => draft.revise({ title: 'x' }, 99, OTHER_MANAGER, T1), AccessDeniedError);
      expectRefused(draft, () => draft.revise({ title: '' }, 99, CREATOR, T1), StaleVersionError);
    });
  });

  describe('creator only', () => {
    const ATTEMPTS: Array<[string, ProgramStatus, (p: ProgramAggregate) => void]> = [
      ['revise', 'DRAFT', (p) => p.revise({ title: 'Not mine' }, p.version, OTHER_MANAGER, T1)],
      ['revise', 'REVISION_REQUESTED', (p) => p.revise({ title: 'Not mine' }, p.version, OTHER_MANAGER, T1)],
      ['submit', 'DRAFT', (p) => p.submit(OTHER_MANAGER, T1)],
      ['withdraw', 'UNDER_REVIEW', (p) => p.withdraw('Not mine either', OTHER_MANAGER, T1)],
    ];

    it.each(ATTEMPTS)('%s in %s by someone else is a 403 FORBIDDEN that changes nothing', (_c, status, act) => {
      const program = inState(status);
      expectRefused(program, () => act(program), AccessDeniedError);
      expect(thrown(() => act(program))).toMatchObject({ code: 'FORBIDDEN', statusCode: 403 });
    });

    it('lets any grant manager close (the role is checked over HTTP)', () => {
      const program = inState('APPROVED');
      program.close('All objectives met', OTHER_MANAGER, T1);
      expect(program.status).toBe('CLOSED');
    });
  });

  describe('review events', () => {
    it('refuses review.opened for another round', () => {
      const program = inState('SUBMITTED');
      expectRefused(program, () => program.markUnderReview(REVIEW_2, 2, T1), InvalidTransitionError);
    });

    it('refuses a replayed review.opened', () => {
      const program = inState('SUBMITTED');
      program.markUnderReview(REVIEW_1, 1, T1);
      expectRefused(program, () => program.markUnderReview(REVIEW_1, 1, T1), InvalidTransitionError);
    });

    it('refuses the completion of a review that is not the current one', () => {
      const program = inState('UNDER_REVIEW');
      expectRefused(program, () => program.completeReview(REVIEW_2, 'APPROVED', RATIONALE, REVIEWER, T1), InvalidTransitionError);
    });

    it('forgets the previous round’s review on resubmission', () => {
      const program = inState('REVISION_REQUESTED');
      program.submit(CREATOR, T1);
      program.markUnderReview(REVIEW_2, 2, T1);
      expectRefused(program, () => program.completeReview(REVIEW_1, 'APPROVED', RATIONALE, REVIEWER, T1), InvalidTransitionError);
    });
  });

  describe('status history', () => {
    it('records who, when and why for every status change, and whose decision the system carried out', () => {
      const program = drafted();
      program.submit(CREATOR, T1);
      program.markUnderReview(REVIEW_1, 1, T1);
      program.completeReview(REVIEW_1, 'APPROVED', RATIONALE, { id: 'rv-ana', name: 'Ana Ríos' }, T1);
      program.suspend('  Credible fraud allegation  ', REVIEWER, T1);
      program.reinstate('Investigation closed', REVIEWER, T1);
      program.discontinue('Assessment found no progress', ASSESSMENT_ID, { id: 'rv-luz' }, T1);
      const at = T1.toISOString();
      expect(program.statusHistory.slice(1)).toEqual([
        { status: 'SUBMITTED', at, by: 'gm-ana', byName: 'Ana Morales', reason: null },
        { status: 'UNDER_REVIEW', at, by: SYSTEM, reason: null },
        { status: 'APPROVED', at, by: SYSTEM, reason: RATIONALE, decidedBy: 'rv-ana', decidedByName: 'Ana Ríos' },
        { status: 'SUSPENDED', at, by: 'rv-sofia', byName: 'Sofía Herrera', reason: 'Credible fraud allegation' },
        { status: 'APPROVED', at, by: 'rv-sofia', byName: 'Sofía Herrera', reason: 'Investigation closed' },
        // A token without a name: the id alone.
        { status: 'DISCONTINUED', at, by: SYSTEM, reason: 'Assessment found no progress', decidedBy: 'rv-luz' },
      ]);
      expect(program.pullEvents().slice(-1)).toEqual([
        {
          type: 'program.discontinued',
          payload: { programId: PROGRAM_ID, reason: 'Assessment found no progress', assessmentId: ASSESSMENT_ID },
        },
      ]);
    });

    it('records a withdrawal with its reason and the creator', () => {
      const program = inState('UNDER_REVIEW');
      program.withdraw('Partner lost its registration', CREATOR, T1);
      expect(program.statusHistory.slice(-1)).toEqual([
        { status: 'WITHDRAWN', at: T1.toISOString(), by: 'gm-ana', byName: 'Ana Morales', reason: 'Partner lost its registration' },
      ]);
      expect(program.pullEvents()).toEqual([
        { type: 'program.withdrawn', payload: { programId: PROGRAM_ID, reason: 'Partner lost its registration' } },
      ]);
    });

    it('refuses a change of status without a reason', () => {
      const program = inState('APPROVED');
      expectRefused(program, () => program.suspend('   ', REVIEWER, T1), ValidationError);
    });
  });

  describe('state', () => {
    it('round-trips through toState and restore', () => {
      const program = inState('UNDER_REVIEW');
      expect(ProgramAggregate.restore(program.toState()).toState()).toEqual(program.toState());
    });

    it('hands out copies, so callers cannot change the aggregate behind its back', () => {
      const program = drafted();
      const state = program.toState();
      state.objectives[0].indicators[0].name = 'changed';
      state.statusHistory.push({ status: 'APPROVED', at: T1.toISOString(), by: 'x', reason: null });
      const snapshot = program.toSnapshot();
      snapshot.targetAreas.push('Ocotepeque');
      expect(program.toState().objectives[0].indicators[0].name).toBe('youth placed');
      expect(program.statusHistory).toHaveLength(1);
      expect(program.toSnapshot().targetAreas).toEqual(['Copán', 'Lempira']);
    });

    it('puts exactly the ProgramSnapshot fields in a snapshot', () => {
      expect(Object.keys(drafted().toSnapshot()).sort()).toEqual(
        [
          'id',
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
          'createdBy',
          'version',
        ].sort(),
      );
    });
  });
});
