import type { PersonRef } from '#libs/core';
import type { FundingAccountAggregate, Party } from './funding-account.aggregate.js';
import { DisbursementAggregate, type DisbursementRequest } from './disbursement.aggregate.js';

/**
 * The commands that change a funding account and its disbursements together. A handler loads
 * both (the account locked), calls one of these and saves both in one transaction. Each
 * refuses before changing anything.
 */

/** The program comes from the account, so a request cannot land on another program's budget. */
export function requestDisbursement(
  account: FundingAccountAggregate,
  input: Omit<DisbursementRequest, 'programId'>,
  dualApprovalThresholdCents: number,
  now: Date,
): DisbursementAggregate {
  const disbursement = DisbursementAggregate.request({ ...input, programId: account.programId }, dualApprovalThresholdCents, now);
  account.reserve(disbursement.amountCents);
  return disbursement;
}

/** The request's own rules (status, separation of duties, conflict of interest) answer before holds do. */
export function approveDisbursement(
  account: FundingAccountAggregate,
  disbursement: DisbursementAggregate,
  approver: Party,
  comment: string | null,
  now: Date,
): void {
  assertSameProgram(account, disbursement);
  disbursement.assertCanApprove(approver.id);
  account.assertNotPartner(approver, 'approve', disbursement.id);
  account.assertNoHolds();
  disbursement.approve(approver, comment, now);
}

export function releaseDisbursement(
  account: FundingAccountAggregate,
  disbursement: DisbursementAggregate,
  by: Party,
  paymentReference: string,
  now: Date,
): void {
  assertSameProgram(account, disbursement);
  disbursement.assertCanRelease(by.id);
  account.assertNotPartner(by, 'release', disbursement.id);
  account.assertNoHolds();
  disbursement.release(by, paymentReference, now);
  account.release(disbursement.amountCents);
}

export function rejectDisbursement(
  account: FundingAccountAggregate,
  disbursement: DisbursementAggregate,
  by: PersonRef,
  reason: string,
  now: Date,
): void {
  assertSameProgram(account, disbursement);
  disbursement.reject(by, reason, now);
  account.unreserve(disbursement.amountCents);
}

export function cancelDisbursement(
  account: FundingAccountAggregate,
  disbursement: DisbursementAggregate,
  by: PersonRef,
  reason: string,
  now: Date,
): void {
  assertSameProgram(account, disbursement);
  disbursement.cancel(by, reason, now);
  account.unreserve(disbursement.amountCents);
}

/**
 * On program.discontinued and program.closed. `disbursements` are the program's requests (any
 * status; the released and already ended ones are left alone). Closing the account ends every
 * reservation at once, so the cancelled requests do not unreserve one by one. Returns the
 * cancelled requests, the ones the handler must save.
 */
export function closeAccount(
  account: FundingAccountAggregate,
  disbursements: readonly DisbursementAggregate[],
  by: PersonRef,
  reason: string,
  now: Date,
): DisbursementAggregate[] {
  disbursements.forEach((disbursement) => assertSameProgram(account, disbursement));
  account.close(reason, now);
  const pending = disbursements.filter((disbursement) => disbursement.reservesFunds);
  pending.forEach((disbursement) => disbursement.cancel(by, reason, now));
  return pending;
}

/** Only a handler bug mixes programs; failing loudly keeps one program's money out of another's account. */
function assertSameProgram(account: FundingAccountAggregate, disbursement: DisbursementAggregate): void {
  if (disbursement.programId !== account.programId) {
    throw new Error(`Disbursement ${disbursement.id} belongs to program ${disbursement.programId}, not ${account.programId}`);
  }
}
