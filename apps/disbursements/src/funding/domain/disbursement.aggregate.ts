import type { DisbursementStatus } from '#libs/contracts';
import { AccessDeniedError, AggregateRoot, InvalidTransitionError, ValidationError, actedBy, nameField, type PersonRef } from '#libs/core';
import { assertCents } from './cents.js';

export interface Approval {
  approverId: string;
  approverName?: string;
  at: Date;
  comment: string | null;
}
/** Who ended a request without payment (rejection or cancellation), why and when. */
export interface Ending {
  by: string;
  byName?: string;
  reason: string;
  at: Date;
}
/**
 * A payment reference as releases are compared: the bank's number, whatever spacing or case it
 * was typed with (the migration PaymentReferenceUnique computes the same in SQL).
 */
export function paymentReferenceKey(paymentReference: string): string {
  return paymentReference.replace(/\s/g, '').toUpperCase();
}

export interface Release {
  by: string;
  byName?: string;
  paymentReference: string;
  at: Date;
}

export interface DisbursementState {
  id: string;
  programId: string;
  amountCents: number;
  purpose: string;
  requestedBy: string;
  requestedByName?: string;
  requestedAt: Date;
  status: DisbursementStatus;
  requiredApprovals: 1 | 2;
  approvals: Approval[];
  rejection: Ending | null;
  release: Release | null;
  cancellation: Ending | null;
  idempotencyKey: string | null;
  version: number;
}

export interface DisbursementRequest {
  id: string;
  programId: string;
  amountCents: number;
  purpose: string;
  requestedBy: PersonRef;
  idempotencyKey: string | null;
}

/** Statuses whose amount is reserved on the funding account; leaving one ends the reservation. */
export const RESERVING_STATUSES: readonly DisbursementStatus[] = ['REQUESTED', 'PARTIALLY_APPROVED', 'APPROVED'];
const AWAITING_APPROVAL: readonly DisbursementStatus[] = ['REQUESTED', 'PARTIALLY_APPROVED'];

/**
 * One request for money from a program's funding account. It knows nothing of the account:
 * funding-policy moves the account's money alongside each transition in the same command.
 */
export class DisbursementAggregate extends AggregateRoot {
  readonly aggregateType = 'disbursement';

  private constructor(private readonly state: Omit<DisbursementState, 'version'>) {
    super();
  }

  /** At or above the threshold two different approvers are needed. */
  static request(input: DisbursementRequest, dualApprovalThresholdCents: number, now: Date): DisbursementAggregate {
    const { id, programId, amountCents, purpose, requestedBy, idempotencyKey } = input;
    assertCents('amountCents', amountCents, 1);
    const disbursement = new DisbursementAggregate({
      id,
      programId,
      amountCents,
      purpose,
      requestedBy: requestedBy.id,
      ...nameField('requestedByName', requestedBy),
      requestedAt: now,
      status: 'REQUESTED',
      requiredApprovals: amountCents >= dualApprovalThresholdCents ? 2 : 1,
      approvals: [],
      rejection: null,
      release: null,
      cancellation: null,
      idempotencyKey,
    });
    disbursement.record('disbursement.requested', { disbursementId: id, programId, amountCents, purpose, requestedBy: requestedBy.id });
    disbursement.touch();
    return disbursement;
  }

  static restore(state: DisbursementState): DisbursementAggregate {
    const { version, ...rest } = structuredClone(state);
    const disbursement = new DisbursementAggregate(rest);
    disbursement.version = version;
    return disbursement;
  }

  toState(): DisbursementState {
    return structuredClone({ ...this.state, version: this.version });
  }

  get id(): string {
    return this.state.id;
  }
  get programId(): string {
    return this.state.programId;
  }
  get amountCents(): number {
    return this.state.amountCents;
  }
  get purpose(): string {
    return this.state.purpose;
  }
  get requestedBy(): string {
    return this.state.requestedBy;
  }
  get requestedAt(): Date {
    return this.state.requestedAt;
  }
  get status(): DisbursementStatus {
    return this.state.status;
  }
  get requiredApprovals(): 1 | 2 {
    return this.state.requiredApprovals;
  }
  get approvals(): Approval[] {
    return structuredClone(this.state.approvals);
  }
  get idempotencyKey(): string | null {
    return this.state.idempotencyKey;
  }
  /** True while the amount is reserved on the funding account. */
  get reservesFunds(): boolean {
    return RESERVING_STATUSES.includes(this.state.status);
  }

  /** Exposed so the caller can refuse on the request's own rules before checking account holds. */
  assertCanApprove(approverId: string): void {
    this.assertStatus(AWAITING_APPROVAL, 'approve');
    this.assertNotRequester(approverId, 'approve');
    if (this.state.approvals.some((approval) => approval.approverId === approverId)) {
      throw new AccessDeniedError(
        'SEPARATION_OF_DUTIES',
        `${approverId} already approved disbursement ${this.id}; the next approval must come from a different approver`,
        { disbursementId: this.id, programId: this.programId },
      );
    }
  }

  approve(approver: PersonRef, comment: string | null, now: Date): void {
    const approverId = approver.id;
    this.assertCanApprove(approverId);
    this.state.approvals.push({ approverId, ...nameField('approverName', approver), at: now, comment });
    const approvals = this.state.approvals.length;
    const { id: disbursementId, programId, amountCents, requiredApprovals } = this.state;
    this.record('disbursement.approval-recorded', { disbursementId, programId, approverId, approvals, requiredApprovals });
    if (approvals >= requiredApprovals) {
      this.state.status = 'APPROVED';
      this.record('disbursement.approved', { disbursementId, programId, amountCents });
    } else {
      this.state.status = 'PARTIALLY_APPROVED';
    }
    this.touch();
  }

  reject(by: PersonRef, reason: string, now: Date): void {
    this.assertStatus(AWAITING_APPROVAL, 'reject');
    this.state.status = 'REJECTED';
    this.state.rejection = endingBy(by, reason, now);
    this.record('disbursement.rejected', { disbursementId: this.id, programId: this.programId, reason });
    this.touch();
  }

  /** Exposed for the same reason as assertCanApprove. */
  assertCanRelease(by: string): void {
    this.assertStatus(['APPROVED'], 'release');
    this.assertNotRequester(by, 'release');
  }

  release(by: PersonRef, paymentReference: string, now: Date): void {
    this.assertCanRelease(by.id);
    if (!paymentReferenceKey(paymentReference)) {
      throw new ValidationError('cannot release: paymentReference must not be blank', [{ field: 'paymentReference', problems: ['must not be blank'] }]);
    }
    this.state.status = 'RELEASED';
    const reference = paymentReference.trim();
    this.state.release = { ...actedBy(by), paymentReference: reference, at: now };
    const { id: disbursementId, programId, amountCents } = this.state;
    this.record('disbursement.released', { disbursementId, programId, amountCents, paymentReference: reference });
    this.touch();
  }

  cancel(by: PersonRef, reason: string, now: Date): void {
    this.assertStatus(RESERVING_STATUSES, 'cancel');
    this.state.status = 'CANCELLED';
    this.state.cancellation = endingBy(by, reason, now);
    this.record('disbursement.cancelled', { disbursementId: this.id, programId: this.programId, reason });
    this.touch();
  }

  private assertStatus(allowed: readonly DisbursementStatus[], action: string): void {
    if (!allowed.includes(this.state.status)) {
      throw new InvalidTransitionError(`Disbursement ${this.id}`, this.state.status, action);
    }
  }

  private assertNotRequester(personId: string, action: string): void {
    if (personId === this.state.requestedBy) {
      throw new AccessDeniedError('SEPARATION_OF_DUTIES', `The requester of disbursement ${this.id} cannot ${action} it`, {
        disbursementId: this.id,
        programId: this.programId,
      });
    }
  }
}

function endingBy(by: PersonRef, reason: string, at: Date): Ending {
  return { ...actedBy(by), reason, at };
}
