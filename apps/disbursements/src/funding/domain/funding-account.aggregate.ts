import type { AssessmentOutcome, FundingAccountStatus, HoldReason } from '#libs/contracts';
import { AccessDeniedError, AggregateRoot, RuleViolationError, formatUsd, partnerKeysOf, type PartnerKeys, type PersonRef } from '#libs/core';
import { assertCents } from './cents.js';

/** Who acts on a disbursement: the person and, from their token, their organisation. */
export interface Party extends PersonRef {
  org?: string | null;
}

export interface FundingAccountState {
  programId: string;
  budgetCents: number;
  /** Sum of the amounts of requests still REQUESTED, PARTIALLY_APPROVED or APPROVED. */
  reservedCents: number;
  releasedCents: number;
  /** A set, sorted so that persisted state and event payloads compare equal. */
  holds: HoldReason[];
  /** Overdue assessment points without an outcome yet: ASSESSMENT_OVERDUE stays while any is left. */
  overdueAssessmentIds: string[];
  /** Points with an outcome, so an `assessment.overdue` delivered after the outcome is ignored. */
  answeredAssessmentIds: string[];
  /** Follow-up points of ADJUST outcomes whose answer is still awaited: ADJUSTMENT_REQUIRED while any. */
  awaitedFollowUpIds: string[];
  /**
   * Version of the program at its last suspension or reinstatement: events of the program can
   * arrive out of order, and only a newer one may change PROGRAM_SUSPENDED.
   */
  programVersion: number;
  /** Absent on accounts opened before partners were screened at payment time: they match nothing. */
  partner?: PartnerKeys;
  /** Restricted parties (added after approval) matching the partner: PARTNER_RESTRICTED while any. */
  restrictingPartyIds?: string[];
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

  static open(
    programId: string,
    budgetCents: number,
    now: Date,
    partner: { name: string; registrationId: string | null } | null = null,
  ): FundingAccountAggregate {
    assertCents('budgetCents', budgetCents, 0);
    const account = new FundingAccountAggregate({
      programId,
      budgetCents,
      reservedCents: 0,
      releasedCents: 0,
      holds: [],
      overdueAssessmentIds: [],
      answeredAssessmentIds: [],
      awaitedFollowUpIds: [],
      programVersion: 0,
      partner: partnerKeysOf(partner?.name ?? null, partner?.registrationId ?? null),
      restrictingPartyIds: [],
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
  get partnerKeys(): PartnerKeys {
    return this.state.partner ?? { nameKey: null, registrationKey: null };
  }
  get openedAt(): Date {
    return this.state.openedAt;
  }
  get closedAt(): Date | null {
    return this.state.closedAt;
  }

  /**
   * Nobody approves or releases money for their own organisation: a person whose `org` is the
   * program's implementing partner (normalised as the restricted list compares names) has a
   * conflict of interest, as a reviewer of that program would (DOMAIN.md).
   */
  assertNotPartner(person: Party, action: 'approve' | 'release', disbursementId: string): void {
    const { nameKey } = partnerKeysOf(person.org ?? null, null);
    if (nameKey === null || nameKey !== this.partnerKeys.nameKey) return;
    throw new AccessDeniedError('CONFLICT_OF_INTEREST', `${person.id} belongs to the implementing partner of program ${this.programId}, so cannot ${action} its disbursements`, {
      disbursementId,
      programId: this.programId,
      reason: 'PARTNER_ORGANISATION',
    });
  }

  /** Sets money aside for a new request; refused whole when it does not fit (no partial reservation). */
  reserve(amountCents: number): void {
    assertCents('amountCents', amountCents, 1);
    this.assertOpen();
    const availableCents = this.availableCents;
    if (amountCents > availableCents) {
      throw new RuleViolationError(
        'INSUFFICIENT_FUNDS',
        `Requested ${formatUsd(amountCents)} but only ${formatUsd(availableCents)} is available`,
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

  /** From program.suspended / program.reinstated; a stale one (older program version) changes nothing. */
  applyProgramStanding(suspended: boolean, programVersion: number): void {
    if (programVersion <= this.state.programVersion) return;
    this.state.programVersion = programVersion;
    this.touch();
    if (suspended) this.placeHold('PROGRAM_SUSPENDED', null);
    else this.liftHold('PROGRAM_SUSPENDED', null);
  }

  /** From assessment.overdue: the hold's cause is the point, and each overdue point keeps it set. */
  markAssessmentOverdue(assessmentId: string): void {
    const { overdueAssessmentIds, answeredAssessmentIds } = this.state;
    if (answeredAssessmentIds.includes(assessmentId) || overdueAssessmentIds.includes(assessmentId)) return;
    this.state.overdueAssessmentIds = [...overdueAssessmentIds, assessmentId].sort();
    this.touch();
    this.placeHold('ASSESSMENT_OVERDUE', assessmentId);
  }

  /**
   * From assessment.completed. The point stops being overdue (the hold lifts once no other point
   * is). ADJUST awaits its follow-up point: ADJUSTMENT_REQUIRED stays while any awaited follow-up is
   * unanswered, so the result is the same whichever completion is delivered first. DISCONTINUE
   * changes nothing here: program.discontinued follows and closes the account.
   */
  recordAssessmentOutcome(assessmentId: string, outcome: AssessmentOutcome, followUpId: string | null = null): void {
    const s = this.state;
    if (s.answeredAssessmentIds.includes(assessmentId)) return;
    s.answeredAssessmentIds = [...s.answeredAssessmentIds, assessmentId].sort();
    s.overdueAssessmentIds = s.overdueAssessmentIds.filter((id) => id !== assessmentId);
    s.awaitedFollowUpIds = (s.awaitedFollowUpIds ?? []).filter((id) => id !== assessmentId);
    if (outcome === 'ADJUST' && followUpId && !s.answeredAssessmentIds.includes(followUpId)) {
      s.awaitedFollowUpIds = [...s.awaitedFollowUpIds, followUpId].sort();
    }
    this.touch();
    if (s.overdueAssessmentIds.length === 0) this.liftHold('ASSESSMENT_OVERDUE', assessmentId);
    if (s.awaitedFollowUpIds.length > 0) this.placeHold('ADJUSTMENT_REQUIRED', assessmentId);
    else this.liftHold('ADJUSTMENT_REQUIRED', assessmentId);
  }

  /**
   * From reference.restricted-party-added (or at opening, for a party added before): the partner
   * is barred from funds, so nothing is approved or released while any matching party is listed.
   */
  restrictPartner(partyId: string): void {
    const ids = this.state.restrictingPartyIds ?? [];
    if (this.state.status === 'CLOSED' || ids.includes(partyId)) return;
    this.state.restrictingPartyIds = [...ids, partyId].sort();
    this.touch();
    this.placeHold('PARTNER_RESTRICTED', partyId);
  }

  /** From reference.restricted-party-removed: the hold lifts once no listed party matches the partner. */
  clearPartner(partyId: string): void {
    const ids = this.state.restrictingPartyIds ?? [];
    if (!ids.includes(partyId)) return;
    this.state.restrictingPartyIds = ids.filter((id) => id !== partyId);
    this.touch();
    if (this.state.restrictingPartyIds.length === 0) this.liftHold('PARTNER_RESTRICTED', partyId);
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
    // A closed account holds nothing, and ignores hold events that arrive later: so it ends the
    // same whether a suspension or an overdue point was delivered before or after the closing.
    this.state.holds = [];
    this.state.overdueAssessmentIds = [];
    this.state.awaitedFollowUpIds = [];
    this.state.restrictingPartyIds = [];
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
