import type { ErrorCode } from '#libs/contracts';

/**
 * A refusal the domain can explain. The HTTP filter maps it to `{ statusCode, code, message,
 * details }`; 401/403 refusals are also written to the audit ledger as `access.denied`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly statusCode: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, 400, details);
  }
}
export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found`, 404);
  }
}
export class InvalidTransitionError extends DomainError {
  constructor(what: string, from: string, action: string) {
    super('INVALID_TRANSITION', `${what} in status ${from} cannot ${action}`, 409, { from, action });
  }
}
export class StaleVersionError extends DomainError {
  constructor(expected: number, actual: number) {
    super('STALE_VERSION', `expected version ${expected} but the current version is ${actual}`, 409, {
      expectedVersion: expected,
      currentVersion: actual,
    });
  }
}
/** Refuses a write made to another version than the current one; `expected` undefined: the client did not say which it read. */
export function assertExpectedVersion(expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) throw new StaleVersionError(expected, current);
}
/** A business rule refused the command (409): holds, insufficient funds, blocking safeguards... */
export class RuleViolationError extends DomainError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, 409, details);
  }
}
/** Refused by role or separation of duties (403); always audited. */
export class AccessDeniedError extends DomainError {
  constructor(
    code: Extract<ErrorCode, 'FORBIDDEN' | 'SEPARATION_OF_DUTIES' | 'CONFLICT_OF_INTEREST'>,
    message: string,
    details?: unknown,
  ) {
    super(code, message, 403, details);
  }
}
