import { upcomingProgramDates } from '#libs/testing';
import { people } from './support/fixtures.js';
import { ProgramFlow } from './support/program-flow.js';
import { TestSystem } from './support/test-system.js';

/** 50 ms a day: a 30-day cadence is 1.5 s, the 14-day grace period 0.7 s. */
const DAY_MS = 50;
const NARRATIVE = 'Field visit confirmed placements against the baseline and the partner records.';
const RESULTS = [{ indicator: 'Youth placed in jobs', value: 340 }];
/** A 30-day program assessed every 30 days: one planned point, due on its last day. */
const ONE_POINT = { ...upcomingProgramDates(30), assessmentCadenceDays: 30 };

describe('assessments with proposals, reviews and disbursements: holds, follow-ups and discontinuation', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({
      services: ['proposals', 'reviews', 'disbursements', 'assessments'],
      config: { dayMs: DAY_MS, assessmentGraceDays: 14 },
    });
  });
  afterAll(() => sys?.stop());

  /** Drafts, submits and approves a program for real; resolves once its plan and funding account exist. */
  async function approvedProgram(overrides: Record<string, unknown>): Promise<string> {
    // reviewer2 decides first, as the reviewer of these programs.
    const flow = new ProgramFlow(sys, people.manager, people.reviewer2, people.reviewer);
    const { id: programId } = await flow.create(overrides);
    await flow.approve(programId);
    await sys.eventually(async () => {
      await read('assessments', `/assessments/plans/${programId}`);
      await read('disbursements', `/funding-accounts/${programId}`);
    });
    return programId;
  }

  async function pointsOf(programId: string) {
    return (await read('assessments', `/assessments?programId=${programId}`)).body.items as Array<{ id: string; kind: string; status: string }>;
  }

  async function firstPointWith(programId: string, kind: string, statuses: string[]) {
    return sys.eventually(async () => {
      const found = (await pointsOf(programId)).find((p) => p.kind === kind && statuses.includes(p.status));
      expect(found).toBeDefined();
      return found!;
    });
  }

  async function holdsBecome(programId: string, holds: string[]) {
    await sys.eventually(async () => {
      const account = await read('disbursements', `/funding-accounts/${programId}`);
      expect([...account.body.holds].sort()).toEqual(holds);
    });
  }

  function outcome(id: string, value: string) {
    return sys
      .http('assessments')
      .post(`/assessments/${id}/outcome`)
      .set(sys.auth(people.reviewer))
      .send({ outcome: value, narrative: NARRATIVE, indicatorResults: RESULTS });
  }

  function read(service: 'proposals' | 'disbursements' | 'assessments', path: string) {
    return sys.http(service).get(path).set(sys.auth(people.auditor)).expect(200);
  }

  function approveFunds(disbursementId: string) {
    return sys.http('disbursements').post(`/disbursements/${disbursementId}/approve`).set(sys.auth(people.approver)).send({});
  }

  async function requested(programId: string): Promise<string> {
    const res = await sys
      .http('disbursements')
      .post('/disbursements')
      .set(sys.auth(people.manager))
      .send({ programId, amountCents: 10_000_000, purpose: 'Training centre equipment' })
      .expect(201);
    return res.body.id as string;
  }

  it('holds the funding account while a point is OVERDUE and lifts the hold when its outcome is recorded', async () => {
    const programId = await approvedProgram(ONE_POINT);
    const disbursementId = await requested(programId);
    const overdue = await firstPointWith(programId, 'PLANNED', ['OVERDUE']);
    await holdsBecome(programId, ['ASSESSMENT_OVERDUE']);
    const refused = await approveFunds(disbursementId).expect(409);
    expect(refused.body.code).toBe('FUNDS_ON_HOLD');

    await outcome(overdue.id, 'CONTINUE').expect(200);
    await holdsBecome(programId, []);
    await approveFunds(disbursementId).expect(200);
  });

  it('holds funds after ADJUST until the follow-up point is answered with CONTINUE', async () => {
    const programId = await approvedProgram(ONE_POINT);
    const point = await firstPointWith(programId, 'PLANNED', ['DUE', 'OVERDUE']);
    await outcome(point.id, 'ADJUST').expect(200);
    await holdsBecome(programId, ['ADJUSTMENT_REQUIRED']);
    const disbursementId = await requested(programId);
    const refused = await approveFunds(disbursementId).expect(409);
    expect(refused.body).toMatchObject({ code: 'FUNDS_ON_HOLD', details: { holds: ['ADJUSTMENT_REQUIRED'] } });

    // The follow-up is SCHEDULED 30 days on and cannot be answered before it is due.
    const scheduled = await firstPointWith(programId, 'FOLLOW_UP', ['SCHEDULED']);
    await outcome(scheduled.id, 'CONTINUE').expect(409);
    const followUp = await firstPointWith(programId, 'FOLLOW_UP', ['DUE', 'OVERDUE']);
    await outcome(followUp.id, 'CONTINUE').expect(200);
    await holdsBecome(programId, []);
    await approveFunds(disbursementId).expect(200);
  });

  it('ends the program, its open points and its pending disbursements on DISCONTINUE', async () => {
    // 90 days every 30: three planned points, none due for 1.5 s.
    const programId = await approvedProgram({ ...upcomingProgramDates(90), assessmentCadenceDays: 30 });
    const disbursementId = await requested(programId);
    const adHoc = await sys
      .http('assessments')
      .post('/assessments')
      .set(sys.auth(people.scheduler))
      .send({ programId, reason: 'Credible reports of diverted funds' })
      .expect(201);
    await outcome(adHoc.body.id, 'DISCONTINUE').expect(200);

    await sys.eventually(async () => {
      expect((await read('proposals', `/programs/${programId}`)).body.status).toBe('DISCONTINUED');
    });
    const points = await pointsOf(programId);
    expect(points.filter((p) => p.kind === 'PLANNED').map((p) => p.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(points.find((p) => p.id === adHoc.body.id)?.status).toBe('COMPLETED');
    await sys.eventually(async () => {
      expect((await read('disbursements', `/disbursements/${disbursementId}`)).body.status).toBe('CANCELLED');
      expect((await read('disbursements', `/funding-accounts/${programId}`)).body.status).toBe('CLOSED');
    });
    const plan = await read('assessments', `/assessments/plans/${programId}`);
    expect(plan.body).toMatchObject({ status: 'CLOSED', nextDueAt: null });
    // Nothing fires for the cancelled points later.
    await new Promise((r) => setTimeout(r, 35 * DAY_MS));
    expect((await pointsOf(programId)).filter((p) => p.status === 'DUE' || p.status === 'OVERDUE')).toEqual([]);
  });
  it('refuses outcomes from the drafter of the program and from its implementing partner, as conflicts of interest', async () => {
    const programId = await approvedProgram(ONE_POINT);
    const adHoc = await sys
      .http('assessments')
      .post('/assessments')
      .set(sys.auth(people.scheduler))
      .send({ programId, reason: 'Complaint received from a beneficiary' })
      .expect(201);
    const drafterAsReviewer = { ...people.manager, roles: ['grant_manager', 'reviewer'] as const };
    const partnerReviewer = { ...people.reviewer, sub: 'rv-partner', org: 'FUNDACION DESARROLLO JUVENIL' };
    for (const [person, reason] of [
      [drafterAsReviewer, 'SELF_ASSESSMENT'],
      [partnerReviewer, 'PARTNER_ORGANISATION'],
    ] as const) {
      const res = await sys
        .http('assessments')
        .post(`/assessments/${adHoc.body.id}/outcome`)
        .set(sys.auth({ ...person, roles: [...person.roles] }))
        .send({ outcome: 'CONTINUE', narrative: NARRATIVE, indicatorResults: RESULTS })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST', details: { programId, reason } });
    }
    expect((await read('assessments', `/assessments/${adHoc.body.id}`)).body.status).toBe('DUE');
    await outcome(adHoc.body.id, 'CONTINUE').expect(200);
  });
});
