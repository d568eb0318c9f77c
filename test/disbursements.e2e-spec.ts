import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { systemActor, type EventPayloads } from '#libs/contracts';
import { OutboxRelay } from '#libs/messaging';
import { createService } from '#libs/platform';
import { loadServiceDefinition } from './support/services.js';
import { ApplyThresholdCommand } from '../apps/disbursements/src/funding/commands/apply-threshold.command.js';
import { ClearPartnerCommand } from '../apps/disbursements/src/funding/commands/clear-partner.command.js';
import { OpenFundingAccountCommand } from '../apps/disbursements/src/funding/commands/open-funding-account.command.js';
import { RestrictPartnerCommand } from '../apps/disbursements/src/funding/commands/restrict-partner.command.js';
import { FundingRepository } from '../apps/disbursements/src/funding/persistence/funding.repository.js';
import { TestSystem, type Person } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';
import { ProgramFlow } from './support/program-flow.js';

/** Budget of every program here: $2,500,000. The dual-approval threshold is the default $1,000,000. */
const BUDGET = 250_000_000;
const THRESHOLD = 100_000_000;

describe('disbursements: funding accounts, requests, approvals and holds', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'disbursements', 'audit'] });
  });
  afterAll(() => sys?.stop());

  const api = () => sys.http('disbursements');

  async function draftedProgram(): Promise<string> {
    return (await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201)).body.id;
  }

  /** Submits and approves a program through proposals and reviews; resolves once its funding account is open. */
  async function approve(programId: string): Promise<string> {
    await new ProgramFlow(sys).approve(programId);
    await sys.eventually(() => api().get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(200));
    return programId;
  }

  const approvedProgram = async () => approve(await draftedProgram());

  async function account(programId: string) {
    return (await api().get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(200)).body;
  }

  function requestFunds(programId: string, amountCents: unknown, who: Person = people.manager) {
    return api().post('/disbursements').set(sys.auth(who)).send({ programId, amountCents, purpose: 'Training centre equipment' });
  }

  async function requested(programId: string, amountCents: number, who: Person = people.manager): Promise<string> {
    return (await requestFunds(programId, amountCents, who).expect(201)).body.id;
  }

  function act(id: string, action: 'approve' | 'reject' | 'release' | 'cancel', who: Person, body: object = {}) {
    return api().post(`/disbursements/${id}/${action}`).set(sys.auth(who)).send(body);
  }

  /** Every payment has its own reference: one reused is refused. */
  const wireOf = (id: string) => `WIRE-${id.slice(-12)}`;
  const release = (id: string, who: Person) => act(id, 'release', who, { paymentReference: wireOf(id) });

  async function eventCount(type: string, aggregateId: string): Promise<number> {
    const rows = await sys.query(`SELECT 1 FROM disbursements.outbox WHERE type = $1 AND envelope->>'aggregateId' = $2`, [type, aggregateId]);
    return rows.length;
  }

  async function programAction(programId: string, action: 'suspend' | 'reinstate' | 'close', who: Person) {
    await sys.http('proposals').post(`/programs/${programId}/${action}`).set(sys.auth(who)).send({ reason: `Test: ${action}` }).expect(200);
  }

  async function holdsBecome(programId: string, holds: string[]) {
    await sys.eventually(async () => expect((await account(programId)).holds).toEqual(holds));
  }

  it('opens the account on program.approved and runs a request from approval to release', async () => {
    const programId = await approvedProgram();
    expect(await account(programId)).toMatchObject({
      programId,
      budgetCents: BUDGET,
      reservedCents: 0,
      releasedCents: 0,
      availableCents: BUDGET,
      holds: [],
      status: 'OPEN',
    });

    const created = await requestFunds(programId, 40_000_000).expect(201);
    expect(created.body).toMatchObject({ programId, amountCents: 40_000_000, status: 'REQUESTED', requiredApprovals: 1, requestedBy: people.manager.sub, requestedByName: people.manager.name });
    const id = created.body.id as string;
    expect(await account(programId)).toMatchObject({ reservedCents: 40_000_000, availableCents: BUDGET - 40_000_000 });

    const approved = await act(id, 'approve', people.approver, { comment: 'Invoices match' }).expect(200);
    expect(approved.body.status).toBe('APPROVED');
    await release(id, people.approver2).expect(200);

    const got = await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor)).expect(200);
    expect(got.body).toMatchObject({
      status: 'RELEASED',
      paymentReference: wireOf(id),
      release: { by: people.approver2.sub, byName: people.approver2.name, paymentReference: wireOf(id) },
    });
    expect(got.body.approvals).toEqual([{ approverId: people.approver.sub, approverName: people.approver.name, at: expect.any(String), comment: 'Invoices match' }]);
    expect(await account(programId)).toMatchObject({ reservedCents: 0, releasedCents: 40_000_000, availableCents: BUDGET - 40_000_000 });

    const other = await requested(programId, 1_000);
    const list = await api().get('/disbursements').query({ programId, status: 'RELEASED' }).set(sys.auth(people.auditor)).expect(200);
    expect(list.body).toEqual({ items: [expect.objectContaining({ id })], nextCursor: null });
    const firstPage = await api().get('/disbursements').query({ programId, limit: 1 }).set(sys.auth(people.auditor)).expect(200);
    expect(firstPage.body.items.map((d: { id: string }) => d.id)).toEqual([other]);
    const secondPage = await api()
      .get('/disbursements')
      .query({ programId, limit: 1, cursor: firstPage.body.nextCursor })
      .set(sys.auth(people.auditor))
      .expect(200);
    expect(secondPage.body).toEqual({ items: [expect.objectContaining({ id })], nextCursor: null });

    await sys.eventually(async () => {
      const rows = await sys.query<{ type: string }>(
        // The ledger keeps arrival order; a source's own order is its sourceSeq (events of one
        // transaction may reach audit's concurrent consumers in either order).
        `SELECT type FROM audit.ledger WHERE source = 'disbursements' AND program_id = $1 ORDER BY source_seq`,
        [programId],
      );
      expect(rows.map((r) => r.type)).toEqual([
        'funding.account-opened',
        'disbursement.requested',
        'disbursement.approval-recorded',
        'disbursement.approved',
        'disbursement.released',
        'disbursement.requested',
      ]);
    });
  });

  it('refuses bad amounts with a clear code and changes nothing', async () => {
    const programId = await approvedProgram();
    for (const amountCents of [0, -100, 1.5, '1000', null, 1e20, true]) {
      const res = await requestFunds(programId, amountCents).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining({ field: 'amountCents' })]) });
    }
    await api().post('/disbursements').set(sys.auth(people.manager)).send({ programId, purpose: 'x'.repeat(10) }).expect(400);
    const extra = await api()
      .post('/disbursements')
      .set(sys.auth(people.manager))
      .send({ programId, amountCents: 100, purpose: 'Training centre equipment', approved: true })
      .expect(400);
    expect(extra.body.details).toEqual([expect.objectContaining({ field: 'approved' })]);
    const beyond = await requestFunds(programId, BUDGET + 1).expect(409);
    expect(beyond.body).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { availableCents: BUDGET, requestedCents: BUDGET + 1 } });
    await requestFunds('not-a-uuid', 100).expect(400);
    expect((await requestFunds(uuidv7(), 100).expect(404)).body.code).toBe('NOT_FOUND');
    for (const missing of [
      act(uuidv7(), 'approve', people.approver),
      release(uuidv7(), people.approver),
      act(uuidv7(), 'reject', people.approver, { reason: 'Invoices missing' }),
      act(uuidv7(), 'cancel', people.manager, { reason: 'No longer needed' }),
    ]) {
      expect((await missing.expect(404)).body).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Disbursement') });
    }
    await requestFunds(programId, 100, people.approver).expect(403);

    expect(await account(programId)).toMatchObject({ reservedCents: 0, releasedCents: 0, availableCents: BUDGET });
    expect(await sys.query(`SELECT id FROM disbursements.disbursements WHERE program_id = $1`, [programId])).toEqual([]);
    await api().get('/disbursements').query({ status: 'PAID' }).set(sys.auth(people.auditor)).expect(400);
    await api().get('/disbursements/123').set(sys.auth(people.auditor)).expect(400);
  });

  it('needs two different approvers at the threshold; the requester can neither approve nor release (403, audited)', async () => {
    const programId = await approvedProgram();
    const requesterApprover: Person = { sub: 'gm-approver-zoe', roles: ['grant_manager', 'approver'] };
    const id = await requested(programId, THRESHOLD, requesterApprover);

    const own = await act(id, 'approve', requesterApprover).expect(403);
    expect(own.body).toMatchObject({ code: 'SEPARATION_OF_DUTIES', details: { disbursementId: id, programId } });
    expect((await act(id, 'approve', people.approver).expect(200)).body).toMatchObject({ status: 'PARTIALLY_APPROVED', requiredApprovals: 2 });
    expect((await act(id, 'approve', people.approver).expect(403)).body.code).toBe('SEPARATION_OF_DUTIES');
    await release(id, people.approver2).expect(409);
    expect((await act(id, 'approve', people.approver2).expect(200)).body.status).toBe('APPROVED');
    expect((await release(id, requesterApprover).expect(403)).body.code).toBe('SEPARATION_OF_DUTIES');
    await release(id, people.approver2).expect(200);

    await sys.eventually(async () => {
      const denials = await sys.query<{ code: string; actor: string }>(
        `SELECT payload::jsonb->>'code' AS code, actor_id AS actor
           FROM audit.ledger WHERE type = 'access.denied' AND program_id = $1 ORDER BY seq`,
        [programId],
      );
      expect(denials).toEqual([
        { code: 'SEPARATION_OF_DUTIES', actor: requesterApprover.sub },
        { code: 'SEPARATION_OF_DUTIES', actor: people.approver.sub },
        { code: 'SEPARATION_OF_DUTIES', actor: requesterApprover.sub },
      ]);
    });
  });

  it('judges requests made after admin changes the dual-approval threshold by the new amount; earlier requests keep theirs', async () => {
    const programId = await approvedProgram();
    const before = await requested(programId, 600_000);
    const put = (amountCents: number) =>
      sys.http('reviews').put('/thresholds/dual-approval').set(sys.auth(people.admin)).send({ amountCents });
    const { body: changed } = await put(500_000).expect(200);
    try {
      // The change reaches disbursements as an event; a request made then needs two approvers.
      const after = await sys.eventually(async () => {
        const id = await requested(programId, 600_000);
        const { body } = await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor)).expect(200);
        if (body.requiredApprovals !== 2) {
          await act(id, 'cancel', people.manager, { reason: 'Made before the change arrived' }).expect(200);
          throw new Error('the new threshold has not arrived yet');
        }
        return id;
      });
      expect((await act(after, 'approve', people.approver).expect(200)).body).toMatchObject({ status: 'PARTIALLY_APPROVED', requiredApprovals: 2 });
      expect((await act(before, 'approve', people.approver).expect(200)).body).toMatchObject({ status: 'APPROVED', requiredApprovals: 1 });

      // A change delivered late (an older version) does not undo a newer one.
      await sys.app('disbursements').get(CommandBus).execute(new ApplyThresholdCommand('dual-approval', 99_000_000, changed.version - 1));
      expect(await sys.query(`SELECT amount_cents::float8 AS cents, version FROM disbursements.thresholds WHERE name = 'dual-approval'`)).toEqual([
        { cents: 500_000, version: changed.version },
      ]);
    } finally {
      await put(THRESHOLD).expect(200);
      await sys.eventually(async () => {
        expect(await sys.query(`SELECT amount_cents::float8 AS cents FROM disbursements.thresholds WHERE name = 'dual-approval'`)).toEqual([{ cents: THRESHOLD }]);
      });
    }
  });

  it('refuses an approver from the implementing partner, to approve or to release (403 CONFLICT_OF_INTEREST, audited)', async () => {
    const programId = await approvedProgram();
    const id = await requested(programId, 10_000);
    const insider: Person = { sub: 'ap-insider', roles: ['approver'], org: 'FUNDACION DESARROLLO JUVENIL S.A.' };
    const refused = await act(id, 'approve', insider).expect(403);
    expect(refused.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST', details: { disbursementId: id, programId, reason: 'PARTNER_ORGANISATION' } });
    await act(id, 'approve', people.approver).expect(200);
    expect((await release(id, insider).expect(403)).body.code).toBe('CONFLICT_OF_INTEREST');
    expect(await account(programId)).toMatchObject({ reservedCents: 10_000, releasedCents: 0 });
    await sys.eventually(async () => {
      const denials = await sys.query<{ code: string; path: string }>(
        `SELECT payload::jsonb->>'code' AS code, payload::jsonb->>'path' AS path FROM audit.ledger
          WHERE type = 'access.denied' AND program_id = $1 AND actor_id = $2 ORDER BY seq`,
        [programId, insider.sub],
      );
      expect(denials).toEqual([
        { code: 'CONFLICT_OF_INTEREST', path: `/disbursements/${id}/approve` },
        { code: 'CONFLICT_OF_INTEREST', path: `/disbursements/${id}/release` },
      ]);
    });
  });

  it('refuses to release a payment reference already released (409 DUPLICATE_PAYMENT_REFERENCE) or a blank one, changing nothing', async () => {
    const [first, second] = [await approvedProgram(), await approvedProgram()];
    const paid = await requested(first, 1_000_000);
    const again = await requested(second, 2_000_000);
    for (const id of [paid, again]) await act(id, 'approve', people.approver).expect(200);
    await act(paid, 'release', people.approver2, { paymentReference: 'WIRE-2027-0777' }).expect(200);

    // The same wire, typed with other spacing and case, on another program's request.
    const refused = await act(again, 'release', people.approver2, { paymentReference: ' wire-2027 -0777' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'DUPLICATE_PAYMENT_REFERENCE', details: { paymentReference: 'wire-2027 -0777', disbursementId: paid, programId: first } });
    const blank = await act(again, 'release', people.approver2, { paymentReference: '   ' }).expect(400);
    expect(blank.body.details).toEqual([expect.objectContaining({ field: 'paymentReference' })]);
    expect((await api().get(`/disbursements/${again}`).set(sys.auth(people.auditor)).expect(200)).body).toMatchObject({ status: 'APPROVED', release: null });
    expect(await account(second)).toMatchObject({ reservedCents: 2_000_000, releasedCents: 0 });
    await act(again, 'release', people.approver2, { paymentReference: 'WIRE-2027-0778' }).expect(200);
  });

  it('answers a retried POST with the same Idempotency-Key with the same request and reserves once', async () => {
    const programId = await approvedProgram();
    const post = (key: string, amountCents = 5_000_000) =>
      api().post('/disbursements').set(sys.auth(people.manager)).set('Idempotency-Key', key).send({ programId, amountCents, purpose: 'Tranche 1' });

    const first = await post('tranche-1').expect(201);
    const retry = await post('tranche-1').expect(201);
    expect(retry.body).toEqual(first.body);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => post('tranche-2')));
    expect(concurrent.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    expect(await account(programId)).toMatchObject({ reservedCents: 10_000_000 });

    const reused = await post('tranche-1', 6_000_000).expect(409);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { disbursementId: first.body.id } });
    expect((await post('bad key with spaces').expect(400)).body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await account(programId)).toMatchObject({ reservedCents: 10_000_000 });
    expect(await eventCount('disbursement.requested', first.body.id)).toBe(1);
  });

  it('blocks approval and release while the program is suspended, until it is reinstated', async () => {
    const programId = await approvedProgram();
    const id = await requested(programId, 1_000_000);
    await programAction(programId, 'suspend', people.reviewer);
    await holdsBecome(programId, ['PROGRAM_SUSPENDED']);

    const held = await act(id, 'approve', people.approver).expect(409);
    expect(held.body).toMatchObject({ code: 'FUNDS_ON_HOLD', details: { holds: ['PROGRAM_SUSPENDED'] } });
    // Requests may still be made while on hold.
    await requested(programId, 1_000);
    await programAction(programId, 'reinstate', people.reviewer);
    await holdsBecome(programId, []);
    await act(id, 'approve', people.approver).expect(200);

    await programAction(programId, 'suspend', people.reviewer);
    await holdsBecome(programId, ['PROGRAM_SUSPENDED']);
    expect((await release(id, people.approver2).expect(409)).body.code).toBe('FUNDS_ON_HOLD');
    expect((await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor))).body.status).toBe('APPROVED');
    await programAction(programId, 'reinstate', people.reviewer);
    await holdsBecome(programId, []);
    await release(id, people.approver2).expect(200);
    expect(await eventCount('funding.hold-placed', programId)).toBe(2);
    expect(await eventCount('funding.hold-lifted', programId)).toBe(2);
  });

  it('lists every account in one read, by status or by a hold, page by page, as the single read shows each', async () => {
    const [held, open, closed] = [await approvedProgram(), await approvedProgram(), await approvedProgram()];
    await programAction(held, 'suspend', people.reviewer);
    await holdsBecome(held, ['PROGRAM_SUSPENDED']);
    await programAction(closed, 'close', people.manager);
    await sys.eventually(async () => expect((await account(closed)).status).toBe('CLOSED'));
    const list = (query: object) => api().get('/funding-accounts').query(query).set(sys.auth(people.approver));
    const ids = async (query: object) => (await list({ limit: 500, ...query }).expect(200)).body.items.map((a: { programId: string }) => a.programId);

    const onHold = await ids({ hold: 'PROGRAM_SUSPENDED' });
    expect(onHold).toContain(held);
    expect(onHold).not.toContain(open);
    const closedOnes = await ids({ status: 'CLOSED' });
    expect(closedOnes).toContain(closed);
    expect(closedOnes).not.toContain(open);
    const listed = (await list({ hold: 'PROGRAM_SUSPENDED', limit: 500 }).expect(200)).body.items.find((a: { programId: string }) => a.programId === held);
    expect(listed).toEqual(await account(held));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ programId: string }>; nextCursor: string | null } = (await list({ limit: 2, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a) => a.programId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([held, open, closed]));
    expect(seen).toEqual([...seen].sort().reverse());

    for (const bad of [{ hold: 'ON_A_WHIM' }, { status: 'PAUSED' }, { limit: 0 }, { cursor: 'not-a-cursor' }]) {
      expect((await list(bad).expect(400)).body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('closing the program cancels every request not yet released and frees the reservation', async () => {
    const programId = await approvedProgram();
    const paid = await requested(programId, 10_000_000);
    await act(paid, 'approve', people.approver).expect(200);
    await release(paid, people.approver2).expect(200);
    const approved = await requested(programId, 20_000_000);
    await act(approved, 'approve', people.approver).expect(200);
    const partial = await requested(programId, THRESHOLD);
    await act(partial, 'approve', people.approver).expect(200);
    const pending = await requested(programId, 30_000_000);
    const rejected = await requested(programId, 1_000);
    await act(rejected, 'reject', people.approver, { reason: 'Duplicate of an earlier request' }).expect(200);

    await programAction(programId, 'close', people.manager);
    await sys.eventually(async () => expect((await account(programId)).status).toBe('CLOSED'));
    expect(await account(programId)).toMatchObject({ reservedCents: 0, releasedCents: 10_000_000, availableCents: BUDGET - 10_000_000 });
    const statuses = async (ids: string[]) =>
      Promise.all(ids.map(async (id) => (await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor))).body.status));
    expect(await statuses([paid, approved, partial, pending, rejected])).toEqual(['RELEASED', 'CANCELLED', 'CANCELLED', 'CANCELLED', 'REJECTED']);
    expect((await requestFunds(programId, 1_000).expect(409)).body.code).toBe('ACCOUNT_CLOSED');
    expect((await act(pending, 'approve', people.approver).expect(409)).body.code).toBe('INVALID_TRANSITION');
  });

  it('the manager cancels a request, and the amount becomes available again', async () => {
    const programId = await approvedProgram();
    const id = await requested(programId, 7_000_000);
    await act(id, 'cancel', people.approver, { reason: 'Not mine' }).expect(403);
    await act(id, 'cancel', people.manager, { reason: '' }).expect(400);
    expect((await act(id, 'cancel', people.manager2, { reason: 'Raised twice' }).expect(200)).body).toMatchObject({
      status: 'CANCELLED',
      reason: 'Raised twice',
      cancellation: { by: people.manager2.sub, reason: 'Raised twice' },
    });
    expect(await account(programId)).toMatchObject({ reservedCents: 0, availableCents: BUDGET });
    expect((await act(id, 'cancel', people.manager, { reason: 'Again' }).expect(409)).body.code).toBe('INVALID_TRANSITION');
  });

  describe('partners put on the restricted list after approval (screening at payment time)', () => {
    const flow = () => new ProgramFlow(sys);
    const partner = { name: 'Cooperativa Río Azul', registrationId: 'GT-5555-01', country: 'GT' };

    async function listParty(name: string, registrationId?: string): Promise<string> {
      const res = await sys
        .http('reviews')
        .post('/restricted-parties')
        .set(sys.auth(people.admin))
        .send({ name, registrationId, reason: 'Designated for corruption after approval (fictional).', source: 'Test list' })
        .expect(201);
      return res.body.id as string;
    }
    const listedParty = (partyId: string, name: string) => ({ partyId, name, registrationId: null, reason: 'Listed by the test', source: 'test' });
    const unlistParty = (id: string) => sys.http('reviews').delete(`/restricted-parties/${id}`).set(sys.auth(people.admin)).expect(200);

    it('holds the funds of every program paying a newly listed party, by name or registration id, until no listed party matches', async () => {
      const paying = await approve((await flow().create({ implementingPartner: partner })).id);
      const other = await approve((await flow().create({ implementingPartner: { name: 'Asociación Horizonte', registrationId: 'GT-1212-12', country: 'GT' } })).id);
      const id = await requested(paying, 1_000_000);

      const byName = await listParty('COOPERATIVA RIO AZUL, S.A.');
      await holdsBecome(paying, ['PARTNER_RESTRICTED']);
      expect((await act(id, 'approve', people.approver).expect(409)).body).toMatchObject({ code: 'FUNDS_ON_HOLD', details: { holds: ['PARTNER_RESTRICTED'] } });
      // Requests may still be made; a program paying someone else is untouched.
      await requested(paying, 1_000);
      expect((await account(other)).holds).toEqual([]);

      const byRegistration = await listParty('Nombre Comercial Distinto', 'gt 5555 01');
      // Whoever reads the account (finance cannot read the restricted list) learns which listings hold it.
      const listing = { reason: 'Designated for corruption after approval (fictional).', source: 'Test list' };
      await sys.eventually(async () =>
        expect((await account(paying)).restrictingParties).toEqual(
          [
            { partyId: byName, name: 'COOPERATIVA RIO AZUL, S.A.', ...listing },
            { partyId: byRegistration, name: 'Nombre Comercial Distinto', ...listing },
          ].sort((a, b) => a.partyId.localeCompare(b.partyId)),
        ),
      );
      // The list of accounts on that hold names the same listings.
      const listed = await api().get('/funding-accounts').query({ hold: 'PARTNER_RESTRICTED', limit: 500 }).set(sys.auth(people.approver)).expect(200);
      expect(listed.body.items.find((a: { programId: string }) => a.programId === paying)).toEqual(await account(paying));
      await unlistParty(byName);
      // Still listed under another name: the hold stays.
      await sys.eventually(async () => {
        const [row] = await sys.query<{ removed_at: Date | null }>(`SELECT removed_at FROM disbursements.restricted_parties WHERE party_id = $1`, [byName]);
        expect(row.removed_at).not.toBeNull();
      });
      expect((await account(paying)).holds).toEqual(['PARTNER_RESTRICTED']);
      await unlistParty(byRegistration);
      await holdsBecome(paying, []);
      await act(id, 'approve', people.approver).expect(200);

      const causes = await sys.query<{ type: string; cause: string }>(
        `SELECT type, envelope->'payload'->>'causeId' AS cause FROM disbursements.outbox
          WHERE envelope->>'aggregateId' = $1 AND type LIKE 'funding.hold-%' ORDER BY id`,
        [paying],
      );
      expect(causes).toEqual([
        { type: 'funding.hold-placed', cause: byName },
        { type: 'funding.hold-lifted', cause: byRegistration },
      ]);
    });

    it('opens the account on hold when the party was listed after the approval and before the account opened', async () => {
      const late = { name: 'Servicios Integrales Quetzal', registrationId: 'GT-3030-30', country: 'GT' };
      const { id: programId, reviewId } = await flow().underReview({ implementingPartner: late });
      // (Listed before the decision, the review itself would refuse the approval.)
      await sys.stopService('disbursements');
      await flow().conclude(reviewId, 'APPROVE');
      const partyId = await listParty(late.name);
      await sys.startService('disbursements');
      await sys.eventually(() => api().get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(200));
      expect((await account(programId)).holds).toEqual(['PARTNER_RESTRICTED']);
      await unlistParty(partyId);
      await holdsBecome(programId, []);
    });

    it('an account opening and a listing of its partner at the same moment do not miss each other', async () => {
      const app = sys.app('disbursements');
      const funding = app.get(FundingRepository);
      const programId = uuidv7();
      const racing = { name: 'Transportes Simultáneos', registrationId: null };
      // The opening has read the (empty) list and is about to write its account when the listing comes.
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      const read = funding.restrictingParties.bind(funding);
      const spy = jest.spyOn(funding, 'restrictingParties').mockImplementationOnce(async (keys) => {
        const found = await read(keys);
        await paused;
        return found;
      });
      try {
        const opening = app.get(CommandBus).execute(new OpenFundingAccountCommand(programId, BUDGET, racing));
        await sys.eventually(() => expect(spy).toHaveBeenCalled());
        let listed = false;
        const listing = app
          .get(CommandBus)
          .execute(new RestrictPartnerCommand(listedParty(uuidv7(), 'TRANSPORTES SIMULTANEOS')))
          .then(() => (listed = true));
        await new Promise((r) => setTimeout(r, 300));
        // The listing waits for the opening (screening lock), then finds the new account.
        expect(listed).toBe(false);
        resume();
        await Promise.all([opening, listing]);
      } finally {
        spy.mockRestore();
      }
      expect((await account(programId)).holds).toEqual(['PARTNER_RESTRICTED']);
    });

    it('a removal delivered before its addition (a retried job) leaves the partner unrestricted', async () => {
      const bus = sys.app('disbursements').get(CommandBus);
      const programId = uuidv7();
      await bus.execute(new OpenFundingAccountCommand(programId, BUDGET, { name: 'Ferretería El Retraso', registrationId: null }));
      const partyId = uuidv7();
      await bus.execute(new ClearPartnerCommand(partyId));
      await bus.execute(new RestrictPartnerCommand(listedParty(partyId, 'Ferreteria El Retraso')));
      expect(await account(programId)).toMatchObject({ holds: [], restrictingParties: [] });
    });
  });

  describe('assessment holds, delivered on the disbursements queue', () => {
    let sourceSeq = 1_000;
    async function deliver<T extends 'assessment.overdue' | 'assessment.completed' | 'program.discontinued'>(
      type: T,
      payload: EventPayloads[T],
    ) {
      const eventId = uuidv7();
      const envelope = {
        eventId,
        type,
        version: 1,
        source: type.startsWith('program') ? 'proposals' : 'assessments',
        sourceSeq: ++sourceSeq,
        aggregateType: type.startsWith('program') ? 'program' : 'assessment-point',
        aggregateId: 'assessmentId' in payload && payload.assessmentId ? payload.assessmentId : payload.programId,
        aggregateVersion: 1,
        occurredAt: new Date().toISOString(),
        actor: systemActor('assessments'),
        correlationId: eventId,
        causationId: null,
        payload,
      };
      await sys.app('disbursements').get(OutboxRelay).queue('disbursements').add(type, envelope, {
        jobId: eventId,
        attempts: 50,
        backoff: { type: 'fixed', delay: 100 },
      });
    }
    const overdue = (programId: string, assessmentId: string) =>
      deliver('assessment.overdue', { programId, assessmentId, dueAt: new Date().toISOString() });
    const completed = (
      programId: string,
      assessmentId: string,
      outcome: EventPayloads['assessment.completed']['outcome'],
      followUpAssessmentId: string | null = null,
    ) =>
      deliver('assessment.completed', {
        programId,
        assessmentId,
        outcome,
        narrative: 'Progress reviewed',
        indicatorResults: [],
        requiredActions: [],
        followUpAssessmentId,
      });

    it('keeps ASSESSMENT_OVERDUE while any point is overdue; ADJUST holds until a later CONTINUE', async () => {
      const programId = await approvedProgram();
      const [first, second, followUp] = [uuidv7(), uuidv7(), uuidv7()];
      await overdue(programId, first);
      // One at a time: the hold's recorded cause below is the first point to go overdue.
      await sys.eventually(async () => expect((await account(programId)).overdueAssessmentIds).toEqual([first]));
      await overdue(programId, second);
      await holdsBecome(programId, ['ASSESSMENT_OVERDUE']);
      await sys.eventually(async () => expect((await account(programId)).overdueAssessmentIds).toEqual([first, second].sort()));

      await completed(programId, first, 'CONTINUE');
      await sys.eventually(async () => expect((await account(programId)).overdueAssessmentIds).toEqual([second]));
      expect((await account(programId)).holds).toEqual(['ASSESSMENT_OVERDUE']);

      await completed(programId, second, 'ADJUST', followUp);
      await holdsBecome(programId, ['ADJUSTMENT_REQUIRED']);
      const id = await requested(programId, 1_000);
      expect((await act(id, 'approve', people.approver).expect(409)).body.details).toEqual({ holds: ['ADJUSTMENT_REQUIRED'] });

      await completed(programId, followUp, 'STRENGTHEN');
      await holdsBecome(programId, []);
      await act(id, 'approve', people.approver).expect(200);
      const causes = await sys.query<{ type: string; hold: string; cause: string }>(
        `SELECT type, envelope->'payload'->>'hold' AS hold, envelope->'payload'->>'causeId' AS cause
           FROM disbursements.outbox WHERE type LIKE 'funding.hold-%' AND envelope->>'aggregateId' = $1 ORDER BY id`,
        [programId],
      );
      expect(causes).toEqual([
        { type: 'funding.hold-placed', hold: 'ASSESSMENT_OVERDUE', cause: first },
        { type: 'funding.hold-lifted', hold: 'ASSESSMENT_OVERDUE', cause: second },
        { type: 'funding.hold-placed', hold: 'ADJUSTMENT_REQUIRED', cause: second },
        { type: 'funding.hold-lifted', hold: 'ADJUSTMENT_REQUIRED', cause: followUp },
      ]);
    });

    it('retries a hold that arrives before the account opens, and program.discontinued closes the account', async () => {
      const programId = await draftedProgram();
      const assessmentId = uuidv7();
      await overdue(programId, assessmentId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await api().get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(404);
      // The account opens from the real program.approved; the early hold then applies on a retry.
      await approve(programId);
      await holdsBecome(programId, ['ASSESSMENT_OVERDUE']);

      const id = await requested(programId, 1_000);
      await deliver('program.discontinued', { programId, reason: 'Outcome DISCONTINUE', assessmentId });
      await sys.eventually(async () => expect((await account(programId)).status).toBe('CLOSED'));
      expect((await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor))).body).toMatchObject({
        status: 'CANCELLED',
        cancellation: { by: 'system:disbursements', reason: 'Program discontinued: Outcome DISCONTINUE' },
      });
    });
  });

  describe('under concurrency', () => {
    const TRANCHE = 20_000_000;
    const FITTING = Math.floor(BUDGET / TRANCHE);

    async function hammer(programId: string, apps: INestApplication[]) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          request(apps[i % apps.length].getHttpServer())
            .post('/disbursements')
            .set(sys.auth(people.manager))
            .send({ programId, amountCents: TRANCHE, purpose: `Tranche ${i}` }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(FITTING);
      expect(statuses.filter((s) => s === 409)).toHaveLength(50 - FITTING);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'INSUFFICIENT_FUNDS')).toBe(true);
      expect(await account(programId)).toMatchObject({ reservedCents: FITTING * TRANCHE, availableCents: BUDGET - FITTING * TRANCHE });
      const [{ total }] = await sys.query<{ total: string }>(
        `SELECT sum(amount_cents) AS total FROM disbursements.disbursements WHERE program_id = $1`,
        [programId],
      );
      expect(Number(total)).toBe(FITTING * TRANCHE);
    }

    it('50 concurrent requests on one account: exactly those that fit succeed', async () => {
      await hammer(await approvedProgram(), [sys.app('disbursements')]);
    });

    it('the same across two instances of the service', async () => {
      const programId = await approvedProgram();
      const second = await createService(await loadServiceDefinition('disbursements'), sys.config('disbursements'));
      await second.init();
      try {
        await hammer(programId, [sys.app('disbursements'), second]);
      } finally {
        await second.close();
      }
    });

    it('two releases whose writes find the account changed since they read it both take effect, each once', async () => {
      const programId = await approvedProgram();
      const amounts = [30_000_000, 45_000_000];
      const ids: string[] = [];
      for (const amountCents of amounts) {
        const id = await requested(programId, amountCents);
        await act(id, 'approve', people.approver).expect(200);
        ids.push(id);
      }
      // Holding the account's row lock lets both releases read the account, then stops both at the
      // lock their write takes: the first write to get it changes the account under the other.
      const holder = new pg.Client({ connectionString: sys.databaseUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM disbursements.funding_accounts WHERE program_id = $1 FOR UPDATE', [programId]);
        const releases = ids.map((id) => release(id, people.approver2).then((r) => r));
        await sys.eventually(async () => {
          const [{ waiting }] = await sys.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          expect(waiting).toBe(2);
        });
        await holder.query('COMMIT');
        expect((await Promise.all(releases)).map((r) => [r.status, r.body.status])).toEqual([
          [200, 'RELEASED'],
          [200, 'RELEASED'],
        ]);
      } finally {
        await holder.end();
      }
      expect(await account(programId)).toMatchObject({ reservedCents: 0, releasedCents: 75_000_000, availableCents: BUDGET - 75_000_000 });
      for (const id of ids) expect(await eventCount('disbursement.released', id)).toBe(1);
    });

    it('20 concurrent approvals of one request leave two approvals and one APPROVED transition', async () => {
      const programId = await approvedProgram();
      const id = await requested(programId, THRESHOLD);
      const approvers: Person[] = Array.from({ length: 20 }, (_, i) => ({ sub: `ap-${i}`, roles: ['approver'] }));
      const responses = await Promise.all(approvers.map((who) => act(id, 'approve', who)));
      expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'INVALID_TRANSITION')).toBe(true);
      expect(responses.filter((r) => r.status === 409)).toHaveLength(18);
      const got = (await api().get(`/disbursements/${id}`).set(sys.auth(people.auditor))).body;
      expect(got.status).toBe('APPROVED');
      expect(new Set(got.approvals.map((a: { approverId: string }) => a.approverId)).size).toBe(2);
      expect(await eventCount('disbursement.approval-recorded', id)).toBe(2);
      expect(await eventCount('disbursement.approved', id)).toBe(1);
    });
  });
});
