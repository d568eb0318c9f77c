import type { DisbursementState } from '../domain/disbursement.aggregate.js';

/** The request with, beside the full records, the payment reference and the ending reason lists show. */
export function disbursementView(state: DisbursementState) {
  return {
    ...state,
    paymentReference: state.release?.paymentReference ?? null,
    reason: state.rejection?.reason ?? state.cancellation?.reason ?? null,
  };
}
