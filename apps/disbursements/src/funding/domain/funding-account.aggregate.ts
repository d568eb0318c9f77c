import type { FundingAccountStatus, HoldReason } from '#libs/contracts';
import { AggregateRoot, RuleViolationError } from '#libs/core';
import { assertCents } from './cents.js';

export interface FundingAccountState {
  programId: string;
  budgetCents: number;
  /** Sum of the amounts of requests still REQUESTED, PARTIALLY_APPROVED or APPROVED. */
  reservedCents: number;
  releasedCents: number;
  /** A set, sorted so that persisted state and event payloads compare equal. */
  holds: HoldReason[];
  status: FundingAccountStatus;
  openedAt: Date;
  closedAt: Date | null;
  version: number;
}

/**
 * The money of one program (id = programId). Reserving at request time, not at approval, is
 * what keeps requested + approved + released within the budget, also under concurrent requests
 * (the handler locks this aggregate's row for the command).
 */
export class FundingAccountAggregate extends AggregateRoot {
  readonly aggregateType = 'funding-account';

  private constructor(private readonly state: Omit<FundingAccountState, 'version'>) {
    super();
  }

  static open(programId: string, budgetCents: number, now: Date): FundingAccountAggregate {
    assertCents('budgetCents', budgetCents, 0);
    const account = new FundingAccountAggregate({
      programId,
      budgetCents,
      reservedCents: 0,
      releasedCents: 0,
      holds: [],
      status: 'OPEN',
      openedAt: now,
      closedAt: null,
    });
    account.record('funding.account-opened', { programId, budgetCents });
    account.touch();
    return account;
  }

  static restore(state: FundingAccountState): FundingAccountAggregate {
    const { version, ...rest } = structuredClone(state);
    const account = new FundingAccountAggregate(rest);
    account.version = version;
    return account;
  }

  toState(): FundingAccountState {
    return structuredClone({ ...this.state, version: this.version });
  }

  get id(): string {
    return this.state.programId;
  }
  get programId(): string {
    return this.state.programId;
  }
  get budgetCents(): number {
    return this.state.budgetCents;
  }
  get reservedCents(): number {
    return this.state.reservedCents;
  }
  get releasedCents(): number {
    return this.state.releasedCents;
  }
  get availableCents(): number {
    return this.state.budgetCents - this.state.reservedCents - this.state.releasedCents;
  }
  /** A copy: holds change only through placeHold and liftHold. */
  get holds(): HoldReason[] {
    return [...this.state.holds];
  }
  get status(): FundingAccountStatus {
    return this.state.status;
  }
  get openedAt(): Date {
    return this.state.openedAt;
  }
  get closedAt(): Date | null {
    return this.state.closedAt;
  }

  /** Sets money aside for a new request; refused whole when it does not fit (no partial reservation). */
  reserve(amountCents: number): void {
    assertCents('amountCents', amountCents, 1);
    this.assertOpen();
    const availableCents = this.availableCents;
    if (amountCents > availableCents) {
      throw new RuleViolationError(
        'INSUFFICIENT_FUNDS',
        `Requested ${amountCents} cents but only ${availableCents} cents are available`,
        { availableCents, requestedCents: amountCents },
      );
    }
    this.state.reservedCents += amountCents;
    this.touch();
  }

  /** Gives a reservation back to the budget: its request was rejected or cancelled. */
  unreserve(amountCents: number): void {
    this.takeReservation(amountCents);
    this.touch();
  }

  /** Turns a reservation into money paid out. */
  release(amountCents: number): void {
    this.takeReservation(amountCents);
    this.state.releasedCents += amountCents;
    this.touch();
  }

  placeHold(reason: HoldReason, causeId: string | null): void {
    if (this.state.holds.includes(reason)) return;
    this.state.holds = [...this.state.holds, reason].sort();
    this.record('funding.hold-placed', { programId: this.programId, hold: reason, holds: this.holds, causeId });
    this.touch();
  }

  liftHold(reason: HoldReason, causeId: string | null): void {
    if (!this.state.holds.includes(reason)) return;
    this.state.holds = this.state.holds.filter((hold) => hold !== reason);
    this.record('funding.hold-lifted', { programId: this.programId, hold: reason, holds: this.holds, causeId });
    this.touch();
  }

  /** Approve and release answer this while any hold is set; requests may still be made. */
  assertNoHolds(): void {
    if (this.state.holds.length === 0) return;
    throw new RuleViolationError('FUNDS_ON_HOLD', `Funds are on hold: ${this.state.holds.join(', ')}`, {
      holds: this.holds,
    });
  }

  /**
   * Final. Every reservation ends here because every request still holding one is cancelled
   * in the same command (see `closeAccount` in funding-policy).
   */
  close(reason: string, now: Date): void {
    this.assertOpen();
    this.state.status = 'CLOSED';
    this.state.closedAt = now;
    this.state.reservedCents = 0;
    this.record('funding.account-closed', { programId: this.programId, reason });
    this.touch();
  }

  private assertOpen(): void {
    if (this.state.status === 'CLOSED') {
      throw new RuleViolationError('ACCOUNT_CLOSED', `Funding account of program ${this.programId} is closed`, {
        programId: this.programId,
      });
    }
  }

  private takeReservation(amountCents: number): void {
    assertCents('amountCents', amountCents, 1);
    this.assertOpen();
    // Only a handler bug can get here: a request never frees more than it reserved.
    if (amountCents > this.state.reservedCents) {
      throw new Error(
        `Funding account ${this.programId}: cannot take ${amountCents} cents from a reservation of ${this.state.reservedCents}`,
      );
    }
    this.state.reservedCents -= amountCents;
  }
}
