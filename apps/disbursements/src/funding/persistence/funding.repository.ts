import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { NotFoundError, type AggregateRoot, type PartnerKeys } from '#libs/core';
import { Outbox } from '#libs/messaging';
import { TransactionRunner, findRow, findWithParent, insertStatement, lockParentOf, newestFirstPage, rowAndParentGuard, rowGuard, updateStatement, type LockMode, type Page, type Statement } from '#libs/persistence';
import { DisbursementAggregate, RESERVING_STATUSES, paymentReferenceKey, type DisbursementState } from '../domain/disbursement.aggregate.js';
import { FundingAccountAggregate, type FundingAccountState } from '../domain/funding-account.aggregate.js';
import { DisbursementEntity } from './disbursement.entity.js';
import { FundingAccountEntity } from './funding-account.entity.js';

export interface FundingAccountFilter {
  status?: string;
  /** Accounts holding this reason among their holds. */
  hold?: string;
  limit: number;
  cursor?: string;
}

export interface DisbursementFilter {
  programId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

/**
 * How a command locks the account: requests and everything that moves money take it exclusively,
 * so the budget check and the update are one step even across instances; approvals only read
 * its holds, so they share it and different requests are approved in parallel.
 */
export type AccountLock = 'exclusive' | 'shared';

/** A restricted party as its listing described it. */
export interface ListedParty {
  partyId: string;
  name: string;
  registrationId: string | null;
  reason: string;
  source: string;
}

/** What a command changes in a request, given its account (both loaded, and locked or to be checked unchanged). */
export type DisbursementChange = (account: FundingAccountAggregate, disbursement: DisbursementAggregate) => void;

/** What a request command decides from the locked account and an earlier request with the same key. */
/** `dualApprovalCents`: the dual-approval threshold admin set, null while the configured default applies. */
export type RequestDecision = (
  account: FundingAccountAggregate,
  earlier: DisbursementAggregate | null,
  dualApprovalCents: number | null,
) => DisbursementAggregate;

/** The dual-approval threshold admin set, as a column of a statement that reads the account. */
const DUAL_APPROVAL_CENTS = `(SELECT amount_cents::float8 FROM disbursements.thresholds WHERE name = 'dual-approval') AS dual_approval_cents`;

/**
 * Loads and saves funding accounts and their disbursements. Every command locks the account row
 * first and the disbursement rows after it (one order everywhere, so no deadlocks), and writes
 * the aggregates' events to the outbox in the same transaction.
 */
@Injectable()
export class FundingRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Screening takes this lock: shared to open an account, exclusive to change the restricted list.
   * So an account opened while a party is listed either is seen by the listing or sees the party.
   */
  screening<T>(mode: 'open' | 'list', work: () => Promise<T>): Promise<T> {
    return this.tx.run(async (em) => {
      await em.query(`SELECT ${mode === 'open' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtext('disbursements.partner-screening'))`);
      return work();
    });
  }

  /** Listed parties (added here by their events, not removed) that match the partner. */
  async restrictingParties({ nameKey, registrationKey }: PartnerKeys): Promise<string[]> {
    if (!nameKey && !registrationKey) return [];
    const rows = (await this.tx.manager.query(
      `SELECT party_id FROM disbursements.restricted_parties
        WHERE removed_at IS NULL AND (name_key = $1 OR registration_key = $2) ORDER BY party_id`,
      [nameKey, registrationKey],
    )) as Array<{ party_id: string }>;
    return rows.map((r) => r.party_id);
  }

  /**
   * Records a party put on the list; false when its removal was recorded first (events delivered
   * out of order), so it restricts nothing.
   */
  async listParty(party: ListedParty, keys: PartnerKeys, now: Date): Promise<boolean> {
    const [row] = (await this.tx.manager.query(
      `INSERT INTO disbursements.restricted_parties (party_id, name_key, registration_key, added_at, name, reason, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (party_id) DO UPDATE SET added_at = excluded.added_at, name = excluded.name, reason = excluded.reason, source = excluded.source
       RETURNING removed_at`,
      [party.partyId, keys.nameKey, keys.registrationKey, now, party.name, party.reason, party.source],
    )) as Array<{ removed_at: Date | null }>;
    return row.removed_at === null;
  }

  /** What the listings of these parties said, for an account they hold. */
  /** The release that carries this payment reference (as compared: see paymentReferenceKey), if any. */
  async releaseWithReference(paymentReference: string): Promise<{ id: string; programId: string } | null> {
    const [row] = await this.tx.manager.query<Array<{ id: string; programId: string }>>(
      `SELECT id, program_id AS "programId" FROM disbursements.disbursements WHERE payment_reference_key = $1`,
      [paymentReferenceKey(paymentReference)],
    );
    return row ?? null;
  }

  /** Keeps a threshold admin set; a change older than the one kept (delivered late) changes nothing. */
  async applyThreshold(name: string, amountCents: number, version: number, now: Date): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO disbursements.thresholds AS t (name, amount_cents, version, changed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET amount_cents = excluded.amount_cents, version = excluded.version, changed_at = excluded.changed_at
       WHERE t.version < excluded.version`,
      [name, amountCents, version, now],
    );
  }

  async listedParties(partyIds: string[]): Promise<Array<Omit<ListedParty, 'registrationId'>>> {
    return (await this.dataSource.query(
      `SELECT party_id AS "partyId", name, reason, source FROM disbursements.restricted_parties WHERE party_id = ANY($1::uuid[]) ORDER BY party_id`,
      [partyIds],
    )) as Array<Omit<ListedParty, 'registrationId'>>;
  }

  /** Records a party taken off the list (also before its addition arrives). */
  async unlistParty(partyId: string, now: Date): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO disbursements.restricted_parties (party_id, removed_at) VALUES ($1, $2)
       ON CONFLICT (party_id) DO UPDATE SET removed_at = excluded.removed_at`,
      [partyId, now],
    );
  }

  /** Open accounts whose partner the party matches, in lock order. */
  accountsMatching({ nameKey, registrationKey }: PartnerKeys): Promise<string[]> {
    return this.openAccountsWhere(`partner_name_key = $1 OR partner_registration_key = $2`, [nameKey, registrationKey]);
  }

  /** Open accounts the party restricts now, in lock order. */
  accountsRestrictedBy(partyId: string): Promise<string[]> {
    return this.openAccountsWhere(`state->'restrictingPartyIds' ? $1`, [partyId]);
  }

  private async openAccountsWhere(condition: string, params: unknown[]): Promise<string[]> {
    const rows = (await this.tx.manager.query(
      `SELECT program_id FROM disbursements.funding_accounts WHERE status = 'OPEN' AND (${condition}) ORDER BY program_id`,
      params,
    )) as Array<{ program_id: string }>;
    return rows.map((r) => r.program_id);
  }

  /** Returns false when the program already has an account (a repeated program.approved). */
  async open(account: FundingAccountAggregate): Promise<boolean> {
    const em = this.tx.manager;
    const [inserted] = await this.outbox.writeAndAppend(em, [insertStatement(em, FundingAccountEntity, accountRow(account), { orIgnore: true })], account);
    return inserted > 0;
  }

  async changeAccount(programId: string, whenMissing: () => Error, apply: (account: FundingAccountAggregate) => void): Promise<void> {
    await this.tx.run(async (em) => {
      const account = await this.lockAccount(em, programId, 'exclusive', whenMissing);
      const lockedVersion = account.version;
      apply(account);
      await this.save(em, accountChange(em, account, lockedVersion));
    });
  }

  /** Like changeAccount, with the program's requests still holding funds, locked too; `apply` returns those it changed. */
  async changeAccountAndPending(
    programId: string,
    whenMissing: () => Error,
    apply: (account: FundingAccountAggregate, pending: DisbursementAggregate[]) => DisbursementAggregate[],
  ): Promise<void> {
    await this.tx.run(async (em) => {
      const account = await this.lockAccount(em, programId, 'exclusive', whenMissing);
      const lockedVersion = account.version;
      const rows = await em.find(DisbursementEntity, {
        where: { programId, status: In([...RESERVING_STATUSES]) },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      const changed = apply(account, rows.map((row) => reviveDisbursement(row.state)));
      await this.save(em, [...accountChange(em, account, lockedVersion), ...changed.map((d) => disbursementChange(em, d))]);
    });
  }

  /**
   * A new request, or the earlier one with the same Idempotency-Key. Uncontended in two round trips
   * (read, guarded write); when the account changed since the read (another request, say), again
   * under its lock. Either way a new request changes the account, so concurrent retries with one
   * key see each other and reserve once.
   */
  async request(programId: string, idempotencyKey: string | null, decide: RequestDecision): Promise<DisbursementAggregate> {
    return (await this.requestIfUnchanged(programId, idempotencyKey, decide)) ?? this.requestLocked(programId, idempotencyKey, decide);
  }

  /** Reads the account and the key's earlier request in one statement, and writes only if the account is still as read; null if it wrote nothing. */
  private async requestIfUnchanged(programId: string, idempotencyKey: string | null, decide: RequestDecision): Promise<DisbursementAggregate | null> {
    const em = this.tx.manager;
    const [row] = (await em.query(
      `SELECT a.version AS account_version, a.state AS account, d.state AS earlier, ${DUAL_APPROVAL_CENTS}
         FROM disbursements.funding_accounts a LEFT JOIN disbursements.disbursements d ON d.program_id = a.program_id AND d.idempotency_key = $2
        WHERE a.program_id = $1`,
      [programId, idempotencyKey],
    )) as Array<{ account_version: number; account: FundingAccountState; earlier: DisbursementState | null; dual_approval_cents: number | null }>;
    if (!row) throw new NotFoundError('Funding account', programId);
    const account = reviveAccount(row.account);
    const earlier = row.earlier ? reviveDisbursement(row.earlier) : null;
    const disbursement = decide(account, earlier, row.dual_approval_cents);
    if (disbursement === earlier) return disbursement;
    const guard = rowGuard(em, FundingAccountEntity, { programId, version: row.account_version }, 'pessimistic_write');
    const [written] = await this.save(em, [newDisbursement(em, disbursement), ...accountChange(em, account, row.account_version)], guard);
    return written > 0 ? disbursement : null;
  }

  private requestLocked(programId: string, idempotencyKey: string | null, decide: RequestDecision): Promise<DisbursementAggregate> {
    return this.tx.run(async (em) => {
      const account = await this.lockAccount(em, programId, 'exclusive', () => new NotFoundError('Funding account', programId));
      const lockedVersion = account.version;
      const earlierRow = idempotencyKey ? await findRow(em, DisbursementEntity, { programId, idempotencyKey }) : null;
      const earlier = earlierRow ? reviveDisbursement(earlierRow.state) : null;
      const [{ dual_approval_cents }] = (await em.query(`SELECT ${DUAL_APPROVAL_CENTS}`)) as Array<{ dual_approval_cents: number | null }>;
      const disbursement = decide(account, earlier, dual_approval_cents);
      if (disbursement === earlier) return disbursement;
      await this.save(em, [newDisbursement(em, disbursement), ...accountChange(em, account, lockedVersion)]);
      return disbursement;
    });
  }

  /**
   * Applies a change to a request and its account. Uncontended, in two round trips (read, guarded
   * write) instead of five (BEGIN, two locks, write, COMMIT); when another command changed either
   * row between the read and the write, again under the locks, as every command on the account.
   */
  async changeDisbursement(id: string, lock: AccountLock, apply: DisbursementChange): Promise<DisbursementAggregate> {
    return (await this.changeDisbursementIfUnchanged(id, lock, apply)) ?? this.changeDisbursementLocked(id, lock, apply);
  }

  /**
   * Reads the request and its account in one statement, without locks, and writes the change only
   * if neither row has changed since: the write's guard locks the account, then the request (the
   * order every command keeps), and checks both versions. Returns null if it wrote nothing. A rule
   * the change breaks is reported as of the read, a moment at which both rows were as read.
   */
  private async changeDisbursementIfUnchanged(id: string, lock: AccountLock, apply: DisbursementChange): Promise<DisbursementAggregate | null> {
    const em = this.tx.manager;
    const found = await findWithParent(em, DisbursementEntity, FundingAccountEntity, 'programId', id);
    if (!found) throw new NotFoundError('Disbursement', id);
    if (!found.parent) throw new NotFoundError('Funding account', found.row.programId);
    const [row, accountRow] = [found.row, found.parent];
    const account = reviveAccount(accountRow.state);
    const disbursement = reviveDisbursement(row.state);
    apply(account, disbursement);
    const guard = rowAndParentGuard(em, DisbursementEntity, { id, version: row.version }, FundingAccountEntity, { programId: row.programId, version: accountRow.version }, lockMode(lock));
    const [written] = await this.save(em, [disbursementChange(em, disbursement), ...accountChange(em, account, accountRow.version)], guard);
    return written > 0 ? disbursement : null;
  }

  private changeDisbursementLocked(id: string, lock: AccountLock, apply: DisbursementChange): Promise<DisbursementAggregate> {
    return this.tx.run(async (em) => {
      // The program of a request never changes, so finding the account through it before the locks is safe.
      const accountRow = await lockParentOf(em, FundingAccountEntity, DisbursementEntity, 'programId', id, lockMode(lock));
      if (!accountRow) {
        const found = await em.findOne(DisbursementEntity, { where: { id }, select: { id: true, programId: true } });
        throw found ? new NotFoundError('Funding account', found.programId) : new NotFoundError('Disbursement', id);
      }
      const account = reviveAccount(accountRow.state);
      const lockedVersion = account.version;
      // Requests are never deleted: the row the account was found through is still there.
      const row = await findRow(em, DisbursementEntity, { id }, 'pessimistic_write');
      const disbursement = reviveDisbursement(row!.state);
      apply(account, disbursement);
      await this.save(em, [disbursementChange(em, disbursement), ...accountChange(em, account, lockedVersion)]);
      return disbursement;
    });
  }

  async getAccount(programId: string): Promise<FundingAccountState> {
    const row = await findRow(this.dataSource.manager, FundingAccountEntity, { programId });
    if (!row) throw new NotFoundError('Funding account', programId);
    return reviveAccount(row.state).toState();
  }

  async getDisbursement(id: string): Promise<DisbursementState> {
    const row = await findRow(this.dataSource.manager, DisbursementEntity, { id });
    if (!row) throw new NotFoundError('Disbursement', id);
    return reviveDisbursement(row.state).toState();
  }

  /** Newest programs first, as the other lists; one statement for a whole portfolio's money. */
  async listAccounts(f: FundingAccountFilter): Promise<Page<FundingAccountState>> {
    const qb = this.dataSource.getRepository(FundingAccountEntity).createQueryBuilder('a');
    if (f.status) qb.andWhere('a.status = :status', { status: f.status });
    if (f.hold) qb.andWhere(`a.state->'holds' @> jsonb_build_array(:hold::text)`, { hold: f.hold });
    const page = await newestFirstPage(qb, 'a.program_id', f, (a) => a.programId);
    return { ...page, items: page.items.map((r) => reviveAccount(r.state).toState()) };
  }

  async list(f: DisbursementFilter): Promise<Page<DisbursementState>> {
    const qb = this.dataSource.getRepository(DisbursementEntity).createQueryBuilder('d');
    if (f.programId) qb.andWhere('d.program_id = :programId', { programId: f.programId });
    if (f.status) qb.andWhere('d.status = :status', { status: f.status });
    const page = await newestFirstPage(qb, 'd.id', f, (d) => d.id);
    return { ...page, items: page.items.map((r) => reviveDisbursement(r.state).toState()) };
  }

  private async lockAccount(em: EntityManager, programId: string, lock: AccountLock, whenMissing: () => Error) {
    const row = await findRow(em, FundingAccountEntity, { programId }, lockMode(lock));
    if (!row) throw whenMissing();
    return reviveAccount(row.state);
  }

  /** Writes a command's changes and their events, in order, in one statement (if `guard` returns a row); returns the rows each changed. */
  private async save(em: EntityManager, changes: Change[], guard: Statement | null = null): Promise<number[]> {
    const [first, ...rest] = changes.map((c) => c.write);
    if (!first) return [];
    const aggregates = changes.map((c) => c.aggregate);
    return guard ? this.outbox.writeGuardedAndAppend(em, guard, [first, ...rest], ...aggregates) : this.outbox.writeAndAppend(em, [first, ...rest], ...aggregates);
  }
}

function lockMode(lock: AccountLock): LockMode {
  return lock === 'exclusive' ? 'pessimistic_write' : 'pessimistic_read';
}

/** A row to write and the aggregate whose events go with it. */
type Change = { write: Statement; aggregate: AggregateRoot };

/** The account's update, only if it changed: a shared lock must never turn into a write. */
function accountChange(em: EntityManager, account: FundingAccountAggregate, lockedVersion: number): Change[] {
  if (account.version === lockedVersion) return [];
  return [{ write: updateStatement(em, FundingAccountEntity, accountRow(account), { programId: account.programId }), aggregate: account }];
}

function newDisbursement(em: EntityManager, disbursement: DisbursementAggregate): Change {
  return { write: insertStatement(em, DisbursementEntity, disbursementRow(disbursement)), aggregate: disbursement };
}

function disbursementChange(em: EntityManager, disbursement: DisbursementAggregate): Change {
  return { write: updateStatement(em, DisbursementEntity, disbursementRow(disbursement), { id: disbursement.id }), aggregate: disbursement };
}

function accountRow(account: FundingAccountAggregate): FundingAccountEntity {
  const state = account.toState();
  return {
    programId: state.programId,
    status: state.status,
    version: state.version,
    budgetCents: state.budgetCents,
    reservedCents: state.reservedCents,
    releasedCents: state.releasedCents,
    state,
    partnerNameKey: account.partnerKeys.nameKey,
    partnerRegistrationKey: account.partnerKeys.registrationKey,
    openedAt: state.openedAt,
    updatedAt: new Date(),
  };
}

function disbursementRow(disbursement: DisbursementAggregate): DisbursementEntity {
  const state = disbursement.toState();
  return {
    id: state.id,
    programId: state.programId,
    status: state.status,
    version: state.version,
    amountCents: state.amountCents,
    requestedBy: state.requestedBy,
    idempotencyKey: state.idempotencyKey,
    paymentReferenceKey: state.release ? paymentReferenceKey(state.release.paymentReference) : null,
    state,
    requestedAt: state.requestedAt,
    updatedAt: new Date(),
  };
}

// jsonb keeps dates as ISO strings; the aggregates work with Date.
function reviveAccount(state: FundingAccountState): FundingAccountAggregate {
  return FundingAccountAggregate.restore({
    ...state,
    openedAt: new Date(state.openedAt),
    closedAt: state.closedAt === null ? null : new Date(state.closedAt),
  });
}

function reviveDisbursement(state: DisbursementState): DisbursementAggregate {
  const dated = <T extends { at: Date }>(entry: T | null): T | null => (entry === null ? null : { ...entry, at: new Date(entry.at) });
  return DisbursementAggregate.restore({
    ...state,
    requestedAt: new Date(state.requestedAt),
    approvals: state.approvals.map((approval) => ({ ...approval, at: new Date(approval.at) })),
    rejection: dated(state.rejection),
    release: dated(state.release),
    cancellation: dated(state.cancellation),
  });
}
