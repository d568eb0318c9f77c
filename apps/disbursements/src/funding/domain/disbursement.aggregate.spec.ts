import type { DisbursementStatus } from '#libs/contracts';
import { DisbursementAggregate, paymentReferenceKey, type DisbursementRequest } from './disbursement.aggregate.js';

const threshold = 100_000_000; // $1,000,000
const at = new Date('2025-03-01T12:00:00Z');
const later = new Date('2025-03-02T12:00:00Z');
const input: DisbursementRequest = {
  id: '0190a0b0-0000-7000-8000-00000000d001',
  programId: '0190a0b0-0000-7000-8000-000000000001',
  amountCents: 250_000,
  purpose: 'Quarter 1 tranche',
  requestedBy: { id: 'manager-1', name: 'Marta López' },
  idempotencyKey: 'key-1',
};

function requested(amountCents = input.amountCents): DisbursementAggregate {
  const disbursement = DisbursementAggregate.request({ ...input, amountCents }, threshold, at);
  disbursement.pullEvents();
  return disbursement;
}
/** A request at the threshold (so PARTIALLY_APPROVED is reachable) brought to `status` by real transitions. */
function inStatus(status: DisbursementStatus): DisbursementAggregate {
  const disbursement = requested(threshold);
  if (status === 'PARTIALLY_APPROVED' || status === 'APPROVED' || status === 'RELEASED') disbursement.approve({ id: 'approver-1' }, null, at);
  if (status === 'APPROVED' || status === 'RELEASED') disbursement.approve({ id: 'approver-2' }, null, at);
  if (status === 'RELEASED') disbursement.release({ id: 'approver-2' }, 'WIRE-1', at);
  if (status === 'REJECTED') disbursement.reject({ id: 'approver-1' }, 'no receipts', at);
  if (status === 'CANCELLED') disbursement.cancel({ id: 'manager-1' }, 'not needed', at);
  disbursement.pullEvents();
  return disbursement;
}
const separationOfDuties = (message: RegExp) =>
  expect.objectContaining({ code: 'SEPARATION_OF_DUTIES', statusCode: 403, message: expect.stringMatching(message) });

describe('DisbursementAggregate', () => {
  it('is requested with its amount reserved and records disbursement.requested', () => {
    const disbursement = DisbursementAggregate.request(input, threshold, at);
    expect(disbursement.aggregateType).toBe('disbursement');
    expect(disbursement.toState()).toEqual({
      ...input,
      requestedBy: 'manager-1',
      requestedByName: 'Marta López',
      requestedAt: at,
      status: 'REQUESTED',
      requiredApprovals: 1,
      approvals: [],
      rejection: null,
      release: null,
      cancellation: null,
      version: 1,
    });
    expect(disbursement.reservesFunds).toBe(true);
    expect(disbursement.pullEvents()).toEqual([
      {
        type: 'disbursement.requested',
        payload: {
          disbursementId: input.id,
          programId: input.programId,
          amountCents: 250_000,
          purpose: 'Quarter 1 tranche',
          requestedBy: 'manager-1',
        },
      },
    ]);
  });

  it.each([0, -1, 10.5, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('refuses an amount of %p cents', (amountCents) => {
    expect(() => DisbursementAggregate.request({ ...input, amountCents }, threshold, at)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        statusCode: 400,
        details: [{ field: 'amountCents', problems: ['amountCents must be a positive whole number of cents'] }],
      }),
    );
  });

  describe('approval', () => {
    it('needs one approval below the dual-approval threshold', () => {
      const disbursement = requested(threshold - 1);
      expect(disbursement.requiredApprovals).toBe(1);
      disbursement.approve({ id: 'approver-1', name: 'Elena Ruiz' }, 'within plan', later);
      expect(disbursement.status).toBe('APPROVED');
      expect(disbursement.approvals).toEqual([{ approverId: 'approver-1', approverName: 'Elena Ruiz', at: later, comment: 'within plan' }]);
      const { id: disbursementId, programId } = input;
      expect(disbursement.pullEvents()).toEqual([
        {
          type: 'disbursement.approval-recorded',
          payload: { disbursementId, programId, approverId: 'approver-1', approvals: 1, requiredApprovals: 1 },
        },
        { type: 'disbursement.approved', payload: { disbursementId, programId, amountCents: threshold - 1 } },
      ]);
    });

    it('needs two different approvers exactly at the threshold', () => {
      const disbursement = requested(threshold);
      expect(disbursement.requiredApprovals).toBe(2);

      disbursement.approve({ id: 'approver-1' }, null, at);
      expect(disbursement.status).toBe('PARTIALLY_APPROVED');
      expect(disbursement.pullEvents().map((event) => event.type)).toEqual(['disbursement.approval-recorded']);

      disbursement.approve({ id: 'approver-2' }, null, later);
      expect(disbursement.status).toBe('APPROVED');
      expect(disbursement.approvals.map((approval) => approval.approverId)).toEqual(['approver-1', 'approver-2']);
      expect(disbursement.pullEvents()).toEqual([
        expect.objectContaining({ type: 'disbursement.approval-recorded', payload: expect.objectContaining({ approvals: 2, requiredApprovals: 2 }) }),
        expect.objectContaining({ type: 'disbursement.approved' }),
      ]);
      expect(disbursement.version).toBe(3);
    });

    it('refuses the requester as approver and changes nothing', () => {
      const disbursement = requested();
      const before = disbursement.toState();
      expect(() => disbursement.approve({ id: 'manager-1' }, null, at)).toThrow(separationOfDuties(/requester .* cannot approve/));
      expect(disbursement.toState()).toEqual(before);
      expect(disbursement.pullEvents()).toEqual([]);
    });

    it('refuses a second approval by the same approver', () => {
      const disbursement = requested(threshold);
      disbursement.approve({ id: 'approver-1' }, null, at);
      disbursement.pullEvents();
      expect(() => disbursement.approve({ id: 'approver-1' }, null, later)).toThrow(separationOfDuties(/approver-1 already approved/));
      expect(disbursement.status).toBe('PARTIALLY_APPROVED');
      expect(disbursement.approvals).toHaveLength(1);
      expect(disbursement.pullEvents()).toEqual([]);
    });

  });

  describe('rejection, release and cancellation', () => {
    it('rejects a partially approved request, recording who and why', () => {
      const disbursement = inStatus('PARTIALLY_APPROVED');
      disbursement.reject({ id: 'approver-2', name: 'Felipe Soto' }, 'missing receipts', later);
      expect(disbursement.status).toBe('REJECTED');
      expect(disbursement.reservesFunds).toBe(false);
      expect(disbursement.toState().rejection).toEqual({ by: 'approver-2', byName: 'Felipe Soto', reason: 'missing receipts', at: later });
      expect(disbursement.pullEvents()).toEqual([
        { type: 'disbursement.rejected', payload: { disbursementId: input.id, programId: input.programId, reason: 'missing receipts' } },
      ]);
    });

    it('releases an approved request with its payment reference', () => {
      const disbursement = inStatus('APPROVED');
      disbursement.release({ id: 'approver-3' }, 'WIRE-2025-0042', later);
      expect(disbursement.status).toBe('RELEASED');
      expect(disbursement.reservesFunds).toBe(false);
      // A token without a name claim: the id alone is kept, with no empty name beside it.
      expect(disbursement.toState().release).toStrictEqual({ by: 'approver-3', paymentReference: 'WIRE-2025-0042', at: later });
      expect(disbursement.pullEvents()).toEqual([
        {
          type: 'disbursement.released',
          payload: { disbursementId: input.id, programId: input.programId, amountCents: threshold, paymentReference: 'WIRE-2025-0042' },
        },
      ]);
    });

    it('refuses the requester as releaser and changes nothing', () => {
      const disbursement = inStatus('APPROVED');
      const before = disbursement.toState();
      expect(() => disbursement.release({ id: 'manager-1' }, 'WIRE-1', later)).toThrow(separationOfDuties(/requester .* cannot release/));
      expect(disbursement.toState()).toEqual(before);
    });

    it('keeps the payment reference without surrounding spaces, and refuses a blank one, changing nothing', () => {
      const disbursement = inStatus('APPROVED');
      const before = disbursement.toState();
      expect(() => disbursement.release({ id: 'approver-3' }, ' \t ', later)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', details: [{ field: 'paymentReference', problems: ['must not be blank'] }] }),
      );
      expect(disbursement.toState()).toEqual(before);
      disbursement.release({ id: 'approver-3' }, '  WIRE-2025-0043 ', later);
      expect(disbursement.toState().release?.paymentReference).toBe('WIRE-2025-0043');
      expect(paymentReferenceKey(' wire 2025-0043')).toBe(paymentReferenceKey('WIRE2025-0043'));
    });

    it('lets an approver of the request release it', () => {
      const disbursement = inStatus('APPROVED');
      disbursement.release({ id: 'approver-1' }, 'WIRE-1', later);
      expect(disbursement.status).toBe('RELEASED');
    });

    it.each(['REQUESTED', 'PARTIALLY_APPROVED', 'APPROVED'] as const)('cancels from %s', (status) => {
      const disbursement = inStatus(status);
      disbursement.cancel({ id: 'manager-2', name: 'Bruno Castillo' }, 'duplicate request', later);
      expect(disbursement.status).toBe('CANCELLED');
      expect(disbursement.reservesFunds).toBe(false);
      expect(disbursement.toState().cancellation).toEqual({ by: 'manager-2', byName: 'Bruno Castillo', reason: 'duplicate request', at: later });
      expect(disbursement.pullEvents()).toEqual([
        { type: 'disbursement.cancelled', payload: { disbursementId: input.id, programId: input.programId, reason: 'duplicate request' } },
      ]);
    });
  });

  describe('invalid transitions', () => {
    const actions = {
      approve: (d: DisbursementAggregate) => d.approve({ id: 'approver-9' }, null, later),
      reject: (d: DisbursementAggregate) => d.reject({ id: 'approver-9' }, 'too late', later),
      release: (d: DisbursementAggregate) => d.release({ id: 'approver-9' }, 'WIRE-9', later),
      cancel: (d: DisbursementAggregate) => d.cancel({ id: 'manager-9' }, 'too late', later),
    };
    it.each([
      ['approve', 'APPROVED'],
      ['approve', 'RELEASED'],
      ['approve', 'REJECTED'],
      ['approve', 'CANCELLED'],
      ['reject', 'APPROVED'],
      ['reject', 'RELEASED'],
      ['reject', 'REJECTED'],
      ['reject', 'CANCELLED'],
      ['release', 'REQUESTED'],
      ['release', 'PARTIALLY_APPROVED'],
      ['release', 'RELEASED'],
      ['release', 'REJECTED'],
      ['release', 'CANCELLED'],
      ['cancel', 'RELEASED'],
      ['cancel', 'REJECTED'],
      ['cancel', 'CANCELLED'],
    ] as const)('refuses to %s from %s and changes nothing', (action, status) => {
      const disbursement = inStatus(status);
      const before = disbursement.toState();
      expect(() => actions[action](disbursement)).toThrow(
        expect.objectContaining({ code: 'INVALID_TRANSITION', statusCode: 409, details: { from: status, action } }),
      );
      expect(disbursement.toState()).toEqual(before);
      expect(disbursement.pullEvents()).toEqual([]);
    });
  });

  it('restores from its state without sharing it', () => {
    const disbursement = inStatus('PARTIALLY_APPROVED');
    const state = disbursement.toState();
    const restored = DisbursementAggregate.restore(state);
    state.approvals.push({ approverId: 'intruder', at, comment: null });
    expect(restored.toState()).toEqual(disbursement.toState());
    expect(restored.version).toBe(2);
    restored.approve({ id: 'approver-2' }, null, later);
    expect(restored.status).toBe('APPROVED');
  });
});
