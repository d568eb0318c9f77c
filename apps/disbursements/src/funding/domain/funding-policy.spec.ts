import type { PersonRef } from '#libs/core';
import type { DisbursementAggregate } from './disbursement.aggregate.js';
import { FundingAccountAggregate } from './funding-account.aggregate.js';
import {
  approveDisbursement,
  cancelDisbursement,
  closeAccount,
  rejectDisbursement,
  releaseDisbursement,
  requestDisbursement,
} from './funding-policy.js';

const programId = '0190a0b0-0000-7000-8000-000000000001';
const threshold = 100_000_000;
const at = new Date('2025-04-01T09:00:00Z');

let sequence = 0;
function openAccount(budgetCents = 1_000_000): FundingAccountAggregate {
  const account = FundingAccountAggregate.open(programId, budgetCents, at);
  account.pullEvents();
  return account;
}
function request(account: FundingAccountAggregate, amountCents: number, requestedBy: PersonRef = { id: 'manager-1' }): DisbursementAggregate {
  sequence += 1;
  const id = `0190a0b0-0000-7000-8000-${String(sequence).padStart(12, '0')}`;
  return requestDisbursement(account, { id, amountCents, purpose: 'tranche', requestedBy, idempotencyKey: null }, threshold, at);
}
function approvedRequest(account: FundingAccountAggregate, amountCents: number): DisbursementAggregate {
  const disbursement = request(account, amountCents);
  approveDisbursement(account, disbursement, { id: 'approver-1' }, null, at);
  return disbursement;
}
const onHold = (holds: string[]) =>
  expect.objectContaining({ code: 'FUNDS_ON_HOLD', message: `Funds are on hold: ${holds.join(', ')}`, details: { holds } });

describe('funding policy', () => {
  describe('requestDisbursement', () => {
    it('reserves the amount on the account and files the request under the account program', () => {
      const account = openAccount(1_000_000);
      const disbursement = request(account, 400_000);
      expect(disbursement.programId).toBe(programId);
      expect(disbursement.status).toBe('REQUESTED');
      expect(account.reservedCents).toBe(400_000);
      expect(account.availableCents).toBe(600_000);
    });

    it('takes a request that uses the last cent and refuses one more cent without reserving', () => {
      const account = openAccount(1_000_000);
      request(account, 1_000_000);
      const before = account.toState();
      expect(() => request(account, 1)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }));
      expect(account.toState()).toEqual(before);
    });

    it('takes requests while the account is on hold', () => {
      const account = openAccount();
      account.placeHold('PROGRAM_SUSPENDED', null);
      expect(request(account, 10_000).status).toBe('REQUESTED');
    });

    it('refuses a request on a closed account', () => {
      const account = openAccount();
      closeAccount(account, [], { id: 'system:disbursements' }, 'program closed', at);
      expect(() => request(account, 10_000)).toThrow(expect.objectContaining({ code: 'ACCOUNT_CLOSED' }));
    });
  });

  describe('holds', () => {
    it('block approval, naming every hold, and leave the request as it was', () => {
      const account = openAccount();
      const disbursement = request(account, 10_000);
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-1');
      expect(() => approveDisbursement(account, disbursement, { id: 'approver-1' }, null, at)).toThrow(
        onHold(['ASSESSMENT_OVERDUE', 'PROGRAM_SUSPENDED']),
      );
      expect(disbursement.status).toBe('REQUESTED');
      expect(disbursement.approvals).toEqual([]);
    });

    it('block release and leave the money reserved', () => {
      const account = openAccount();
      const disbursement = approvedRequest(account, 10_000);
      account.placeHold('ADJUSTMENT_REQUIRED', 'assessment-2');
      expect(() => releaseDisbursement(account, disbursement, { id: 'approver-2' }, 'WIRE-1', at)).toThrow(onHold(['ADJUSTMENT_REQUIRED']));
      expect(disbursement.status).toBe('APPROVED');
      expect(account.reservedCents).toBe(10_000);
      expect(account.releasedCents).toBe(0);
    });

    it('still block while one of two holds remains, and stop once both are lifted', () => {
      const account = openAccount();
      const disbursement = request(account, 10_000);
      account.placeHold('PROGRAM_SUSPENDED', null);
      account.placeHold('ASSESSMENT_OVERDUE', 'assessment-1');
      account.liftHold('ASSESSMENT_OVERDUE', 'assessment-1');
      expect(() => approveDisbursement(account, disbursement, { id: 'approver-1' }, null, at)).toThrow(onHold(['PROGRAM_SUSPENDED']));
      account.liftHold('PROGRAM_SUSPENDED', null);
      approveDisbursement(account, disbursement, { id: 'approver-1' }, null, at);
      expect(disbursement.status).toBe('APPROVED');
    });

    it('are checked after separation of duties, so a requester approving on hold is refused as the requester', () => {
      const account = openAccount();
      const disbursement = request(account, 10_000, { id: 'person-1' });
      account.placeHold('PROGRAM_SUSPENDED', null);
      expect(() => approveDisbursement(account, disbursement, { id: 'person-1' }, null, at)).toThrow(
        expect.objectContaining({ code: 'SEPARATION_OF_DUTIES' }),
      );
    });
  });

  it('release moves the amount from reserved to released', () => {
    const account = openAccount(1_000_000);
    const disbursement = approvedRequest(account, 300_000);
    releaseDisbursement(account, disbursement, { id: 'approver-2' }, 'WIRE-7', at);
    expect(disbursement.status).toBe('RELEASED');
    expect(account.reservedCents).toBe(0);
    expect(account.releasedCents).toBe(300_000);
    expect(account.availableCents).toBe(700_000);
  });

  it('nobody approves or releases money for their own organisation, the implementing partner; nothing moves', () => {
    const account = FundingAccountAggregate.open(programId, 1_000_000, at, { name: 'Fundación Agua Viva, S.A.', registrationId: 'GT-1' });
    const disbursement = request(account, 10_000);
    const insider = { id: 'approver-9', org: 'FUNDACION AGUA VIVA' };
    const conflict = expect.objectContaining({ code: 'CONFLICT_OF_INTEREST', statusCode: 403, details: { disbursementId: disbursement.id, programId, reason: 'PARTNER_ORGANISATION' } });
    expect(() => approveDisbursement(account, disbursement, insider, null, at)).toThrow(conflict);
    expect(disbursement.status).toBe('REQUESTED');

    approveDisbursement(account, disbursement, { id: 'approver-1', org: 'Office of Acquisition' }, null, at);
    expect(() => releaseDisbursement(account, disbursement, insider, 'WIRE-9', at)).toThrow(conflict);
    expect([disbursement.status, account.releasedCents]).toEqual(['APPROVED', 0]);
    releaseDisbursement(account, disbursement, { id: 'approver-2' }, 'WIRE-9', at);
    expect(disbursement.status).toBe('RELEASED');
  });

  it('the requester cannot release, and nothing moves', () => {
    const account = openAccount();
    const disbursement = approvedRequest(account, 10_000);
    expect(() => releaseDisbursement(account, disbursement, { id: 'manager-1' }, 'WIRE-1', at)).toThrow(
      expect.objectContaining({ code: 'SEPARATION_OF_DUTIES' }),
    );
    expect(account.reservedCents).toBe(10_000);
    expect(account.releasedCents).toBe(0);
  });

  it.each([
    ['rejecting', (account: FundingAccountAggregate, d: DisbursementAggregate) => rejectDisbursement(account, d, { id: 'approver-1' }, 'no', at)],
    ['cancelling', (account: FundingAccountAggregate, d: DisbursementAggregate) => cancelDisbursement(account, d, { id: 'manager-1' }, 'no', at)],
  ])('%s gives the reservation back to the budget', (_name, end) => {
    const account = openAccount(1_000_000);
    const disbursement = request(account, 1_000_000);
    end(account, disbursement);
    expect(account.reservedCents).toBe(0);
    expect(account.availableCents).toBe(1_000_000);
  });

  it('an invalid transition leaves the account untouched', () => {
    const account = openAccount();
    const disbursement = request(account, 10_000);
    cancelDisbursement(account, disbursement, { id: 'manager-1' }, 'not needed', at);
    const before = account.toState();
    expect(() => cancelDisbursement(account, disbursement, { id: 'manager-1' }, 'again', at)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
    expect(account.toState()).toEqual(before);
  });

  it('refuses a disbursement of another program', () => {
    const account = openAccount();
    const other = FundingAccountAggregate.open('0190a0b0-0000-7000-8000-000000000002', 1_000_000, at);
    const disbursement = request(other, 10_000);
    expect(() => cancelDisbursement(account, disbursement, { id: 'manager-1' }, 'wrong account', at)).toThrow(/belongs to program/);
    expect(disbursement.status).toBe('REQUESTED');
  });

  describe('closeAccount', () => {
    it('cancels every request not yet released, keeps released money and closes the account', () => {
      const account = openAccount(2 * threshold);
      const pending = request(account, 100_000);
      const partial = request(account, threshold);
      approveDisbursement(account, partial, { id: 'approver-1' }, null, at);
      const approved = approvedRequest(account, 50_000);
      const released = approvedRequest(account, 70_000);
      releaseDisbursement(account, released, { id: 'approver-2' }, 'WIRE-1', at);
      const rejected = request(account, 10_000);
      rejectDisbursement(account, rejected, { id: 'approver-1' }, 'no', at);
      expect([pending, partial, approved].map((d) => d.status)).toEqual(['REQUESTED', 'PARTIALLY_APPROVED', 'APPROVED']);
      [pending, partial, approved, released, rejected, account].forEach((aggregate) => aggregate.pullEvents());

      const cancelled = closeAccount(account, [pending, partial, approved, released, rejected], { id: 'system:disbursements' }, 'program discontinued', at);

      expect(cancelled).toEqual([pending, partial, approved]);
      expect([pending, partial, approved, released, rejected].map((d) => d.status)).toEqual([
        'CANCELLED',
        'CANCELLED',
        'CANCELLED',
        'RELEASED',
        'REJECTED',
      ]);
      expect(pending.toState().cancellation).toEqual({ by: 'system:disbursements', reason: 'program discontinued', at });
      expect(pending.pullEvents().map((event) => event.type)).toEqual(['disbursement.cancelled']);
      expect(released.pullEvents()).toEqual([]);
      expect(account.toState()).toEqual(
        expect.objectContaining({ status: 'CLOSED', closedAt: at, reservedCents: 0, releasedCents: 70_000 }),
      );
      expect(account.pullEvents().map((event) => event.type)).toEqual(['funding.account-closed']);
    });

    it('changes no request when the account is already closed', () => {
      const account = openAccount();
      const pending = request(account, 10_000);
      account.close('program closed', at);
      expect(() => closeAccount(account, [pending], { id: 'system:disbursements' }, 'again', at)).toThrow(
        expect.objectContaining({ code: 'ACCOUNT_CLOSED' }),
      );
      expect(pending.status).toBe('REQUESTED');
    });
  });
});
