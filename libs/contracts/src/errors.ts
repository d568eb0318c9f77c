/** Stable error codes of the HTTP contract (API.md). Clients match on these, never on messages. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'STALE_VERSION',
  'INVALID_TRANSITION',
  'SAFEGUARD_BLOCKING',
  'CONFLICT_OF_INTEREST',
  'SEPARATION_OF_DUTIES',
  'INSUFFICIENT_FUNDS',
  'FUNDS_ON_HOLD',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'ALREADY_DECIDED',
  'DUPLICATE',
  'ACCOUNT_CLOSED',
  'UNKNOWN_INDICATOR',
  'IDEMPOTENCY_KEY_REUSED',
  'DUPLICATE_PAYMENT_REFERENCE',
  'CONCURRENT_CHANGE',
  'RATE_LIMITED',
  'UNSUPPORTED_MEDIA_TYPE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  correlationId: string;
}
