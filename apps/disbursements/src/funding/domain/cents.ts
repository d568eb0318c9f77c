import { ValidationError } from '#libs/core';

/**
 * Money is whole US cents in safe integers, so sums stay exact. `minimum` is 1 for amounts
 * moved (a zero or negative disbursement means nothing) and 0 for a budget.
 */
export function assertCents(field: string, value: number, minimum: 0 | 1): void {
  if (Number.isSafeInteger(value) && value >= minimum) return;
  const problem = `${field} must be a ${minimum === 1 ? 'positive' : 'non-negative'} whole number of cents`;
  throw new ValidationError(problem, [{ field, problems: [problem] }]);
}
