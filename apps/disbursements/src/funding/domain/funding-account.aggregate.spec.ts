import { FundingAccountAggregate } from './funding-account.aggregate.js';

const programId = '0190a0b0-0000-7000-8000-000000000001';
const opened = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-02-01T00:00:00Z');

function openAccount(budgetCents = 10_000): FundingAccountAggregate {
  const account = FundingAccountAggregate.open(programId, budgetCents, opened);
  account.pullEvents();
  return account;
}

describe('FundingAccountAggregate', () => {
  it('opens with the whole budget available and records funding.account-opened', () => {
    const account = FundingAccountAggregate.open(programId, 10_000, opened);
    expect(account.id).toBe(programId);
    expect(account.aggregateType).toBe('funding-account');
    expect(account.toState()).toEqual({
      programId,
      budgetCents: 10_000,
      reservedCents: 0,
      releasedCents: 0,
      holds: [],
      overdueAssessmentIds: [],
      answeredAssessmentIds: [],
      awaitedFollowUpIds: [],
      programVersion: 0,
      partner: { nameKey: null, registrationKey: null },
      restrictingPartyIds: [],
      status: 'OPEN',
      openedAt: opened,
      closedAt: null,
      version: 1,
    });
    expect(account.availableCents).toBe(10_000);
    expect(account.pullEvents()).toEqual([{ type: 'funding.account-opened', payload: { programId, budgetCents: 10_000 } }]);
  });

  it.each([-1, 0.5, Number.NaN])('refuses a budget of %p cents', (budgetCents) => {
    expect(() => FundingAccountAggregate.open(programId, budgetCents, opened)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'budgetCents' })] }),
    );
  });

  describe('budget arithmetic', () => {
    it('reserves an amount that fits exactly, leaving nothing available', () => {
      const account = openAccount(10_000);
      account.reserve(4_000);
      account.reserve(6_000);
      expect(account.reservedCents).toBe(10_000);
      expect(account.availableCents).toBe(0);
    });

    it('refuses one cent over what is available and changes nothing', () => {
      const account = openAccount(10_000);
      account.reserve(4_000);
      account.release(1_000);
      const before = account.toState();
      expect(() => account.reserve(6_001)).toThrow(
        expect.objectContaining({
          code: 'INSUFFICIENT_FUNDS',
          statusCode: 409,
          // People read dollars; programs read the cents in details.
          message: 'Requested $60.01 but only $60.00 is available',
          details: { availableCents: 6_000, requestedCents: 6_001 },
        }),
      );
      expect(account.toState()).toEqual(before);
      expect(account.pullEvents()).toEqual([]);
    });

    it('counts released money against the budget', () => {
      const account = openAccount(10_000);
      account.reserve(3_000);
      account.release(3_000);
      expect(account.reservedCents).toBe(0);
      expect(account.releasedCents).toBe(3_000);
      expect(account.availableCents).toBe(7_000);
      expect(() => account.reserve(7_001)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
    });

    it('gives an unreserved amount back to the budget', () => {
      const account = openAccount(10_000);
      account.reserve(10_000);
      account.unreserve(2_500);
      expect(account.reservedCents).toBe(7_500);
      expect(account.availableCents).toBe(2_500);
    });

    it.each([0, -100, 12.5])('refuses to reserve %p cents', (amountCents) => {
      const account = openAccount();
      expect(() => account.reserve(amountCents)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'amountCents' })] }),
      );
      expect(account.reservedCents).toBe(0);
    });

    it('refuses to free more than is reserved', () => {
      const account = openAccount();
      account.reserve(1_000);
      expect(() => account.unreserve(1_001)).toThrow(/reservation of 1000/);
      expect(() => account.release(1_001)).toThrow(/reservation of 1000/);
      expect(account.reservedCents).toBe(1_000);
      expect(account.releasedCents).toBe(0);
    });

    it('bumps the version once per change', () => {
      const account = openAccount();
      account.reserve(1_000);
      account.release(1_000);
      expect(account.version).toBe(3);
    });
  });

  describe('holds', () => {
    it('records the hold and the sorted set after it, with its cause', () => {
      const account = openAccount();
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-1');
      expect(account.holds).toEqual(['ASSESSMENT_OVERDUE', 'PROGRAM_SUSPENDED']);
      expect(account.pullEvents()).toEqual([
        { type: 'funding.hold-placed', payload: { programId, hold: 'PROGRAM_SUSPENDED', holds: ['PROGRAM_SUSPENDED'], causeId: null } },
        {
          type: 'funding.hold-placed',
          payload: {
            programId,
            hold: 'ASSESSMENT_OVERDUE',
            holds: ['ASSESSMENT_OVERDUE', 'PROGRAM_SUSPENDED'],
            causeId: 'assessment-1',
          },
        },
      ]);
    });

    it('lifting one of two holds keeps the other', () => {
      const account = openAccount();
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.placeHold('ADJUSTMENT_REQUIRED', 'assessment-2');
      account.pullEvents();
      account.liftHold('PROGRAM_SUSPENDED', null);
      expect(account.holds).toEqual(['ADJUSTMENT_REQUIRED']);
      expect(account.pullEvents()).toEqual([
        { type: 'funding.hold-lifted', payload: { programId, hold: 'PROGRAM_SUSPENDED', holds: ['ADJUSTMENT_REQUIRED'], causeId: null } },
      ]);
      expect(() => account.assertNoHolds()).toThrow(expect.objectContaining({ details: { holds: ['ADJUSTMENT_REQUIRED'] } }));
    });

    it('placing a hold already set or lifting an absent one records nothing and keeps the version', () => {
      const account = openAccount();
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-1');
      account.pullEvents();
      const version = account.version;
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-3');
      account.liftHold('PROGRAM_SUSPENDED', null);
      expect(account.pullEvents()).toEqual([]);
      expect(account.version).toBe(version);
      expect(account.holds).toEqual(['ASSESSMENT_OVERDUE']);
    });

    it('suspension and reinstatement follow the program version, ignoring a stale delivery', () => {
      const account = openAccount();
      account.applyProgramStanding(false, 5);
      account.applyProgramStanding(true, 4);
      expect(account.holds).toEqual([]);
      account.applyProgramStanding(true, 6);
      expect(account.holds).toEqual(['PROGRAM_SUSPENDED']);
      account.applyProgramStanding(true, 6);
      account.applyProgramStanding(false, 7);
      expect(account.holds).toEqual([]);
      expect(account.pullEvents().map((e) => e.type)).toEqual(['funding.hold-placed', 'funding.hold-lifted']);
    });

    it('keeps ASSESSMENT_OVERDUE while another point is still overdue', () => {
      const account = openAccount();
      account.markAssessmentOverdue('assessment-1');
      account.markAssessmentOverdue('assessment-2');
      account.recordAssessmentOutcome('assessment-1', 'CONTINUE');
      expect(account.holds).toEqual(['ASSESSMENT_OVERDUE']);
      account.recordAssessmentOutcome('assessment-2', 'STRENGTHEN');
      expect(account.holds).toEqual([]);
      expect(account.pullEvents()).toEqual([
        { type: 'funding.hold-placed', payload: { programId, hold: 'ASSESSMENT_OVERDUE', holds: ['ASSESSMENT_OVERDUE'], causeId: 'assessment-1' } },
        { type: 'funding.hold-lifted', payload: { programId, hold: 'ASSESSMENT_OVERDUE', holds: [], causeId: 'assessment-2' } },
      ]);
    });

    it('ADJUST swaps ASSESSMENT_OVERDUE for ADJUSTMENT_REQUIRED until its follow-up is answered', () => {
      const account = openAccount();
      account.markAssessmentOverdue('assessment-1');
      account.recordAssessmentOutcome('assessment-1', 'ADJUST', 'follow-up-1');
      expect(account.holds).toEqual(['ADJUSTMENT_REQUIRED']);
      // Another point's answer does not answer the adjustment.
      account.recordAssessmentOutcome('assessment-2', 'CONTINUE');
      expect(account.holds).toEqual(['ADJUSTMENT_REQUIRED']);
      account.recordAssessmentOutcome('follow-up-1', 'CONTINUE');
      expect(account.holds).toEqual([]);
    });

    it('ends with the same holds whichever of ADJUST and its follow-up answer arrives first', () => {
      const inOrder = openAccount();
      inOrder.recordAssessmentOutcome('assessment-1', 'ADJUST', 'follow-up-1');
      inOrder.recordAssessmentOutcome('follow-up-1', 'STRENGTHEN');
      const reversed = openAccount();
      reversed.recordAssessmentOutcome('follow-up-1', 'STRENGTHEN');
      reversed.recordAssessmentOutcome('assessment-1', 'ADJUST', 'follow-up-1');
      expect(reversed.holds).toEqual([]);
      expect(reversed.holds).toEqual(inOrder.holds);
      // A follow-up answered ADJUST again keeps the hold, awaiting its own follow-up.
      inOrder.recordAssessmentOutcome('assessment-2', 'ADJUST', 'follow-up-2');
      inOrder.recordAssessmentOutcome('follow-up-2', 'ADJUST', 'follow-up-3');
      expect(inOrder.holds).toEqual(['ADJUSTMENT_REQUIRED']);
    });

    it('ignores an overdue point delivered after its outcome, and a repeated outcome', () => {
      const account = openAccount();
      account.recordAssessmentOutcome('assessment-1', 'ADJUST', 'follow-up-1');
      account.markAssessmentOverdue('assessment-1');
      expect(account.holds).toEqual(['ADJUSTMENT_REQUIRED']);
      const version = account.version;
      account.recordAssessmentOutcome('assessment-1', 'CONTINUE');
      expect(account.holds).toEqual(['ADJUSTMENT_REQUIRED']);
      expect(account.version).toBe(version);
    });

    it('assertNoHolds names every hold', () => {
      const account = openAccount();
      expect(() => account.assertNoHolds()).not.toThrow();
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-1');
      expect(() => account.assertNoHolds()).toThrow(
        expect.objectContaining({
          code: 'FUNDS_ON_HOLD',
          statusCode: 409,
          message: 'Funds are on hold: ASSESSMENT_OVERDUE, PROGRAM_SUSPENDED',
          details: { holds: ['ASSESSMENT_OVERDUE', 'PROGRAM_SUSPENDED'] },
        }),
      );
    });

    it('still lets money be reserved while on hold', () => {
      const account = openAccount();
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.reserve(500);
      expect(account.reservedCents).toBe(500);
    });

    describe('a partner restricted after approval', () => {
      const [partyA, partyB] = ['0190a0b0-0000-7000-8000-00000000000a', '0190a0b0-0000-7000-8000-00000000000b'];

      it('keeps the partner as the restricted list matches it', () => {
        const account = FundingAccountAggregate.open(programId, 100, opened, { name: 'Fundación Ñandú, S.A.', registrationId: 'hn-08 01' });
        expect(account.partnerKeys).toEqual({ nameKey: 'FUNDACION NANDU', registrationKey: 'HN0801' });
        expect(FundingAccountAggregate.open(programId, 100, opened, { name: '...', registrationId: null }).partnerKeys).toEqual({ nameKey: null, registrationKey: null });
      });

      it('holds the funds while any matching party is listed, naming the party that placed or lifted it', () => {
        const account = openAccount();
        account.restrictPartner(partyA);
        account.restrictPartner(partyB);
        account.restrictPartner(partyA);
        expect(() => account.assertNoHolds()).toThrow(expect.objectContaining({ code: 'FUNDS_ON_HOLD', details: { holds: ['PARTNER_RESTRICTED'] } }));
        account.clearPartner(partyA);
        expect(account.holds).toEqual(['PARTNER_RESTRICTED']);
        account.clearPartner(partyB);
        account.clearPartner(partyB);
        expect(account.holds).toEqual([]);
        expect(account.pullEvents()).toEqual([
          { type: 'funding.hold-placed', payload: { programId, hold: 'PARTNER_RESTRICTED', holds: ['PARTNER_RESTRICTED'], causeId: partyA } },
          { type: 'funding.hold-lifted', payload: { programId, hold: 'PARTNER_RESTRICTED', holds: [], causeId: partyB } },
        ]);
      });

      it('is one hold among the others, and a closed account takes none', () => {
        const account = openAccount();
        account.applyProgramStanding(true, 2);
        account.restrictPartner(partyA);
        expect(account.holds).toEqual(['PARTNER_RESTRICTED', 'PROGRAM_SUSPENDED']);
        account.close('Program closed', later);
        account.restrictPartner(partyB);
        expect(account.holds).toEqual([]);
        expect(account.toState().restrictingPartyIds).toEqual([]);
      });

      it('restores an account opened before screening as matching nothing', () => {
        const { partner, restrictingPartyIds, ...older } = openAccount().toState();
        const restored = FundingAccountAggregate.restore(older);
        expect([partner, restrictingPartyIds, restored.partnerKeys]).toEqual([{ nameKey: null, registrationKey: null }, [], { nameKey: null, registrationKey: null }]);
        restored.clearPartner(partyA);
        expect(restored.holds).toEqual([]);
      });
    });

    it('does not let a caller change the holds through the getter', () => {
      const account = openAccount();
      account.holds.push('PROGRAM_SUSPENDED');
      expect(account.holds).toEqual([]);
    });
  });

  describe('close', () => {
    it('closes, ends the reservations and records funding.account-closed', () => {
      const account = openAccount(10_000);
      account.reserve(4_000);
      account.release(1_000);
      account.pullEvents();
      account.close('program discontinued', later);
      expect(account.status).toBe('CLOSED');
      expect(account.closedAt).toEqual(later);
      expect(account.reservedCents).toBe(0);
      expect(account.releasedCents).toBe(1_000);
      expect(account.pullEvents()).toEqual([{ type: 'funding.account-closed', payload: { programId, reason: 'program discontinued' } }]);
    });

    it('refuses to move money or close again once closed', () => {
      const account = openAccount();
      account.close('program closed', later);
      const closed = expect.objectContaining({ code: 'ACCOUNT_CLOSED', statusCode: 409 });
      expect(() => account.reserve(1)).toThrow(closed);
      expect(() => account.unreserve(1)).toThrow(closed);
      expect(() => account.release(1)).toThrow(closed);
      expect(() => account.close('again', later)).toThrow(closed);
    });
  });

  it('restores from its state without sharing it', () => {
    const account = openAccount();
    account.reserve(1_000);
    account.placeHold('ASSESSMENT_OVERDUE', null);
    const state = account.toState();
    const restored = FundingAccountAggregate.restore(state);
    state.holds.push('PROGRAM_SUSPENDED');
    expect(restored.toState()).toEqual(account.toState());
    expect(restored.version).toBe(3);
    expect(restored.pullEvents()).toEqual([]);
  });
});
