import type { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Queue } from 'bullmq';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { eventQueueName, systemActor, type EventOf, type EventPayloads, type EventType } from '#libs/contracts';
import { redisConnection } from '#libs/common';
import { createService } from '#libs/platform';
import { TEST_REDIS_URL, upcomingProgramDates } from '#libs/testing';
import { assessmentsService } from '../apps/assessments/src/assessments.service.js';
import { MakePlanCommand } from '../apps/assessments/src/assessments/commands/make-plan.command.js';
import type { AssessmentPointState } from '../apps/assessments/src/assessments/domain/assessment-point.aggregate.js';
import { ASSESSMENT_TIMERS_QUEUE, type TimerData } from '../apps/assessments/src/assessments/timers/assessment-timers.js';
import { TimerSweep } from '../apps/assessments/src/assessments/timers/timer-sweep.js';
import { people } from './support/fixtures.js';
import { TestSystem, type Person } from './support/test-system.js';

/** 50 ms a day: a 90-day cadence is 4.5 s, the 14-day grace period 0.7 s. */
const DAY_MS = 50;
const GRACE_DAYS = 14;
/** How late a timer may turn a point on a loaded test machine and still count as on time. */
const ON_TIME_MS = 1500;
const INDICATORS = ['Youth placed in jobs', 'Women-led businesses financed'];
const NARRATIVE = 'Field visit confirmed placements against the baseline and the partner records.';

type Point = AssessmentPointState & { dueAt: string; overdueAt: string };

describe('assessments: plans, durable timers and outcomes', () => {
  let sys: TestSystem;
  let events: Queue;
  let timers: Queue<TimerData>;
  let sourceSeq = 1;

  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['assessments'], config: { dayMs: DAY_MS, assessmentGraceDays: GRACE_DAYS } });
    const options = { connection: redisConnection(TEST_REDIS_URL, 'producer'), prefix: sys.redisPrefix };
    events = new Queue(eventQueueName('assessments'), options);
    timers = new Queue<TimerData>(ASSESSMENT_TIMERS_QUEUE, options);
  });
  afterAll(async () => {
    await events?.close();
    await timers?.close();
    await sys?.stop();
  });

  /** An event as proposals' outbox would publish it, delivered to the assessments queue. */
  function envelope<T extends EventType>(type: T, programId: string, payload: EventPayloads[T]): EventOf<T> {
    return {
      eventId: uuidv7(),
      type,
      version: 1,
      source: 'proposals',
      sourceSeq: sourceSeq++,
      aggregateType: 'program',
      aggregateId: programId,
      aggregateVersion: sourceSeq,
      occurredAt: new Date().toISOString(),
      actor: systemActor('proposals'),
      correlationId: uuidv7(),
      causationId: null,
      payload,
    };
  }

  function approvedPayload(programId: string, dates: { startDate: string; endDate: string }, cadence = 90) {
    return {
      programId,
      reviewId: uuidv7(),
      budgetCents: 250_000_000,
      ...dates,
      assessmentCadenceDays: cadence,
      indicators: INDICATORS,
      country: 'GT' as const,
      pillar: 'I' as const,
      title: 'Youth employment in the Western Highlands',
      createdBy: people.manager.sub,
      partnerName: 'Fundación Desarrollo Juvenil',
    };
  }

  async function publish(event: EventOf<EventType>): Promise<void> {
    await events.add(event.type, event, { jobId: event.eventId });
  }

  /** Publishes program.approved and waits for its plan; returns when it was approved, where its span starts, and the points. */
  async function approve(dates = upcomingProgramDates(364), cadence = 90) {
    const programId = uuidv7();
    const approved = envelope('program.approved', programId, approvedPayload(programId, dates, cadence));
    await publish(approved);
    const points = await sys.eventually(async () => {
      const found = await pointsOf(programId);
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    const startAt = Date.parse((await plan(programId)).body.startAt);
    return { programId, approvedAt: Date.parse(approved.occurredAt), startAt, points };
  }

  async function pointsOf(programId: string): Promise<Point[]> {
    const rows = await sys.query<{ state: Point }>(
      `SELECT state FROM assessments.points WHERE program_id = $1 ORDER BY due_at, id`,
      [programId],
    );
    return rows.map((r) => r.state);
  }

  async function point(id: string): Promise<Point> {
    const res = await sys.http('assessments').get(`/assessments/${id}`).set(sys.auth(people.auditor)).expect(200);
    return res.body as Point;
  }

  function untilStatus(id: string, status: string, timeoutMs = 10_000): Promise<Point> {
    return sys.eventually(async () => {
      const p = await point(id);
      expect(p.status).toBe(status);
      return p;
    }, timeoutMs);
  }

  /** When the point's history says it took `action`. */
  function at(p: Point, action: string): number {
    const entry = p.history.find((h) => h.action === action);
    if (!entry) throw new Error(`point ${p.id} was never ${action}`);
    return Date.parse(entry.at as unknown as string);
  }

  function outcome(id: string, body: Record<string, unknown>, person: Person = people.reviewer) {
    return sys
      .http('assessments')
      .post(`/assessments/${id}/outcome`)
      .set(sys.auth(person))
      .send({ narrative: NARRATIVE, indicatorResults: [{ indicator: INDICATORS[0], value: 340 }], ...body });
  }

  async function eventsOf(type: string, assessmentId: string): Promise<number> {
    const [{ n }] = await sys.query<{ n: string }>(
      `SELECT count(*) AS n FROM assessments.outbox WHERE type = $1 AND envelope->'payload'->>'assessmentId' = $2`,
      [type, assessmentId],
    );
    return Number(n);
  }

  async function delayedTimersOf(pointIds: string[]): Promise<string[]> {
    const ids = new Set(pointIds);
    return (await timers.getDelayed()).filter((j) => ids.has(j.data.pointId)).map((j) => j.id!);
  }

  function plan(programId: string) {
    return sys.http('assessments').get(`/assessments/plans/${programId}`).set(sys.auth(people.auditor)).expect(200);
  }

  function changeCadence(programId: string, cadenceDays: number, person: Person = people.scheduler) {
    return sys.http('assessments').put(`/assessments/plans/${programId}`).set(sys.auth(person)).send({ cadenceDays });
  }

  async function trigger(programId: string): Promise<Point> {
    const res = await sys
      .http('assessments')
      .post('/assessments')
      .set(sys.auth(people.scheduler))
      .send({ programId, reason: 'Press reports of irregular hiring at the partner' })
      .expect(201);
    return res.body as Point;
  }

  it('gives a one-year program four points on a 90-day cadence, each DUE on time; one left alone turns OVERDUE', async () => {
    const dates = upcomingProgramDates(364);
    const { programId, approvedAt, startAt, points } = await approve(dates);
    // The span starts on the start date (tomorrow, so one day after approval on this clock, unless
    // the approval fell after midnight UTC): nothing is assessed before the program runs.
    const daysToStart = Math.max(0, (Date.parse(dates.startDate) - Math.floor(approvedAt / 86_400_000) * 86_400_000) / 86_400_000);
    expect((startAt - approvedAt) / DAY_MS).toBe(daysToStart);
    const days = points.map((p) => (Date.parse(p.dueAt) - startAt) / DAY_MS);
    expect(days).toEqual([90, 180, 270, 360]);
    expect(points.map((p) => [p.kind, p.sequence, p.status])).toEqual([
      ['PLANNED', 1, 'SCHEDULED'],
      ['PLANNED', 2, 'SCHEDULED'],
      ['PLANNED', 3, 'SCHEDULED'],
      ['PLANNED', 4, 'SCHEDULED'],
    ]);
    const planned = await plan(programId);
    expect(planned.body).toMatchObject({ programId, cadenceDays: 90, graceDays: GRACE_DAYS, nextDueAt: points[0].dueAt });
    // A due and an overdue timer per point, waiting in Redis.
    expect(await delayedTimersOf(points.map((p) => p.id))).toHaveLength(8);

    // The first is answered while DUE, so it never turns OVERDUE.
    const first = await sys.eventually(async () => {
      const [row] = await pointsOf(programId);
      expect(row.status).toBe('DUE');
      return row;
    }, 10_000);
    await outcome(first.id, { outcome: 'CONTINUE' }).expect(200);

    // The second is left without an outcome.
    const second = await untilStatus(points[1].id, 'OVERDUE', 15_000);
    expect(at(second, 'overdue')).toBeGreaterThanOrEqual(Date.parse(second.overdueAt));
    expect(at(second, 'overdue') - Date.parse(second.overdueAt)).toBeLessThan(ON_TIME_MS);
    expect(await eventsOf('assessment.overdue', second.id)).toBe(1);
    const answered = await outcome(second.id, { outcome: 'CONTINUE' }).expect(200);
    expect(answered.body).toMatchObject({ status: 'COMPLETED', outcome: 'CONTINUE', completedBy: people.reviewer.sub, completedByName: people.reviewer.name });

    const last = await untilStatus(points[3].id, 'DUE', 15_000).catch(() => untilStatus(points[3].id, 'OVERDUE'));
    const all = await Promise.all(points.map((p) => point(p.id)));
    for (const p of [...all.slice(0, 3), last]) {
      const late = at(p, 'due') - Date.parse(p.dueAt);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(ON_TIME_MS);
      expect(await eventsOf('assessment.due', p.id)).toBe(1);
    }
    const firstNow = all[0];
    expect(firstNow.status).toBe('COMPLETED');
    expect(firstNow.history.map((h) => h.action)).toEqual(['scheduled', 'due', 'completed']);
  }, 40_000);

  it('loses no point and duplicates none when killed between scheduling and due time, even if Redis lost a timer', async () => {
    // 60 days: points at 30 and 60 days (1.5 s and 3 s).
    const { programId, points } = await approve(upcomingProgramDates(60), 30);
    expect(points).toHaveLength(2);
    await sys.stopService('assessments');
    // Redis loses the second point's due timer while the service is down.
    const lost = (await delayedTimersOf([points[1].id])).filter((id) => id.startsWith('due-'));
    expect(lost).toHaveLength(1);
    await timers.remove(lost[0]);
    // The first point's due time passes while nobody runs.
    await new Promise((r) => setTimeout(r, Date.parse(points[0].dueAt) - Date.now() + 200));
    await sys.startService('assessments');

    for (const p of points) await untilStatus(p.id, 'DUE', 10_000).catch(() => untilStatus(p.id, 'OVERDUE'));
    expect(await pointsOf(programId)).toHaveLength(2);
    for (const p of points) expect(await eventsOf('assessment.due', p.id)).toBe(1);
    const second = await point(points[1].id);
    expect(at(second, 'due') - Date.parse(second.dueAt)).toBeLessThan(ON_TIME_MS);
  }, 30_000);

  it('writes one plan and one timer per moment when two instances write the plan at once', async () => {
    const second: INestApplication = await createService(assessmentsService, sys.config('assessments'));
    await second.init();
    try {
      const programId = uuidv7();
      const payload = approvedPayload(programId, upcomingProgramDates(364));
      const approvedAt = new Date();
      const buses = [sys.app('assessments'), second, sys.app('assessments'), second].map((app) => app.get(CommandBus));
      await Promise.all(buses.map((bus) => bus.execute(new MakePlanCommand(payload, approvedAt))));
      // The same approval delivered twice more through the queue, under different event ids.
      await Promise.all([0, 1].map(() => publish(envelope('program.approved', programId, payload))));
      await Promise.all([sys.app('assessments'), second].map((app) => app.get(TimerSweep).sweep()));

      const points = await pointsOf(programId);
      expect(points.map((p) => p.sequence)).toEqual([1, 2, 3, 4]);
      expect(await sys.query(`SELECT 1 FROM assessments.plans WHERE program_id = $1`, [programId])).toHaveLength(1);
      const armed = await sys.eventually(async () => {
        const ids = await delayedTimersOf(points.map((p) => p.id));
        expect(ids).toHaveLength(8);
        return ids;
      });
      expect(new Set(armed).size).toBe(8);
      const scheduled = await sys.query(
        `SELECT 1 FROM assessments.outbox WHERE type = 'assessment.scheduled' AND envelope->'payload'->>'programId' = $1`,
        [programId],
      );
      expect(scheduled).toHaveLength(4);
    } finally {
      await second.close();
    }
  });

  it('refuses an outcome on a SCHEDULED point, with unknown indicators, and on a cancelled program, each with a clear code', async () => {
    const { programId, points } = await approve();
    const scheduled = await outcome(points[0].id, { outcome: 'CONTINUE' }).expect(409);
    expect(scheduled.body).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'SCHEDULED' } });

    const adHoc = await trigger(programId);
    expect(adHoc).toMatchObject({ kind: 'AD_HOC', status: 'DUE', programId });
    const unknown = await outcome(adHoc.id, {
      outcome: 'CONTINUE',
      indicatorResults: [{ indicator: 'Trees planted', value: 3 }],
    }).expect(400);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_INDICATOR', details: { unknown: ['Trees planted'] } });
    const forbidden = await outcome(adHoc.id, { outcome: 'CONTINUE' }, people.scheduler).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const invalid = await outcome(adHoc.id, { outcome: 'MAYBE', narrative: 'short' }).expect(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    const unmeasured = await outcome(adHoc.id, { outcome: 'CONTINUE', indicatorResults: [] }).expect(400);
    expect(unmeasured.body.details).toEqual([{ field: 'indicatorResults', problems: ['must report at least one indicator of the program'] }]);
    expect((await point(adHoc.id)).status).toBe('DUE');

    await publish(envelope('program.discontinued', programId, { programId, reason: 'partner debarred', assessmentId: null }));
    await untilStatus(adHoc.id, 'CANCELLED');
    const cancelled = await outcome(adHoc.id, { outcome: 'CONTINUE' }).expect(409);
    expect(cancelled.body).toMatchObject({ code: 'INVALID_TRANSITION', details: { from: 'CANCELLED' } });
    expect((await pointsOf(programId)).every((p) => p.status === 'CANCELLED')).toBe(true);
    await sys.eventually(async () => expect(await delayedTimersOf(points.map((p) => p.id))).toEqual([]));
    expect((await plan(programId)).body).toMatchObject({ status: 'CLOSED', nextDueAt: null });
    await sys.http('assessments').post('/assessments').set(sys.auth(people.scheduler)).send({ programId, reason: 'again' }).expect(409);
    await changeCadence(programId, 60).expect(409);
  });

  it('moves a rescheduled point and its timers: the old time does nothing, the new one makes it DUE', async () => {
    const { points } = await approve(upcomingProgramDates(60), 30);
    const [p] = points;
    const endAt = (await plan(points[0].programId)).body.endAt as string;
    const pastTheEnd = await sys
      .http('assessments')
      .post(`/assessments/${p.id}/reschedule`)
      .set(sys.auth(people.scheduler))
      .send({ dueAt: new Date(Date.parse(endAt) + DAY_MS).toISOString(), reason: 'After the program, when nobody pays any more' })
      .expect(400);
    expect(pastTheEnd.body.details).toEqual([{ field: 'dueAt', problems: [expect.stringContaining(endAt)] }]);
    expect((await point(p.id)).dueAt).toBe(p.dueAt);
    const dueAt = new Date(Date.parse(p.dueAt) + 20 * DAY_MS);
    const res = await sys
      .http('assessments')
      .post(`/assessments/${p.id}/reschedule`)
      .set(sys.auth(people.scheduler))
      .send({ dueAt: dueAt.toISOString(), reason: 'Field visit moved after the rainy season' })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'SCHEDULED', dueAt: dueAt.toISOString() });
    expect((await delayedTimersOf([p.id])).sort()).toEqual(
      [`due-${p.id}-${dueAt.getTime()}`, `overdue-${p.id}-${dueAt.getTime() + GRACE_DAYS * DAY_MS}`].sort(),
    );
    // A timer for the old instant that Redis still had (say, removed too late) fires into the moved point.
    await timers.add('due', { pointId: p.id, moment: 'due', at: p.dueAt }, { jobId: `stale-${p.id}` });
    await new Promise((r) => setTimeout(r, Date.parse(p.dueAt) - Date.now() + 300));
    expect(await timers.getJobState(`stale-${p.id}`)).toBe('completed');
    expect((await point(p.id)).status).toBe('SCHEDULED');
    const due = await untilStatus(p.id, 'DUE');
    expect(at(due, 'due')).toBeGreaterThanOrEqual(dueAt.getTime());
    await sys
      .http('assessments')
      .post(`/assessments/${p.id}/reschedule`)
      .set(sys.auth(people.scheduler))
      .send({ dueAt: new Date(Date.now() + 60_000).toISOString(), reason: 'too late to move' })
      .expect(409);
    await sys
      .http('assessments')
      .post(`/assessments/${p.id}/reschedule`)
      .set(sys.auth(people.scheduler))
      .send({ dueAt: 'next tuesday', reason: 'x' })
      .expect(400);
  });

  it('moves the future points of a plan to a new cadence, with their timers', async () => {
    const { programId, startAt, points } = await approve();
    const res = await changeCadence(programId, 120).expect(200);
    expect(res.body).toMatchObject({ programId, cadenceDays: 120 });
    const after = await pointsOf(programId);
    const open = after.filter((p) => p.status === 'SCHEDULED');
    expect(open.map((p) => (Date.parse(p.dueAt) - startAt) / DAY_MS)).toEqual([120, 240, 360]);
    expect(open.map((p) => p.sequence)).toEqual([5, 6, 4]);
    expect(after.filter((p) => p.status === 'CANCELLED')).toHaveLength(3);
    // 360 days is kept: the old fourth point already falls there.
    expect(open[2].id).toBe(points[3].id);
    expect(res.body.nextDueAt).toBe(open[0].dueAt);
    expect(await delayedTimersOf(points.map((p) => p.id))).toHaveLength(2);
    expect(await delayedTimersOf(open.map((p) => p.id))).toHaveLength(6);
    await changeCadence(programId, 10).expect(400);
    await changeCadence(programId, 60, people.reviewer).expect(403);
    // The change itself is an event (who, from what, to what); asking for the same cadence again is none.
    await changeCadence(programId, 120).expect(200);
    const changes = await sys.query<{ envelope: { actor: { id: string }; aggregateVersion: number; payload: unknown } }>(
      `SELECT envelope FROM assessments.outbox WHERE type = 'assessment.cadence-changed' AND envelope->>'aggregateId' = $1`,
      [programId],
    );
    expect(changes.map(({ envelope: e }) => [e.actor.id, e.aggregateVersion, e.payload])).toEqual([
      [people.scheduler.sub, 2, { programId, cadenceDays: 120, previousCadenceDays: 90 }],
    ]);
  });

  it('schedules a follow-up 30 days after ADJUST that turns DUE on its timer', async () => {
    const { programId } = await approve();
    const adHoc = await trigger(programId);
    const adjusted = await outcome(adHoc.id, { outcome: 'ADJUST' }).expect(200);
    const completedAt = Date.parse(adjusted.body.completedAt);
    const followUp = (await pointsOf(programId)).find((p) => p.kind === 'FOLLOW_UP')!;
    expect(Date.parse(followUp.dueAt) - completedAt).toBe(30 * DAY_MS);
    // The calendar says in words what it follows; the link is followUpOf.
    expect(followUp).toMatchObject({ followUpOf: adHoc.id, reason: `follow-up of the assessment due ${adHoc.dueAt.slice(0, 10)} (ADJUST)` });
    const due = await untilStatus(followUp.id, 'DUE');
    expect(at(due, 'due') - Date.parse(due.dueAt)).toBeLessThan(ON_TIME_MS);
    const strengthened = await outcome(followUp.id, { outcome: 'STRENGTHEN', requiredActions: [] }).expect(400);
    expect(strengthened.body.code).toBe('VALIDATION_FAILED');
    await outcome(followUp.id, { outcome: 'STRENGTHEN', requiredActions: ['Publish retention figures'] }).expect(200);
  });

  it('two outcomes recorded at once on one point: the one whose write finds the point changed is refused, and the point completes once', async () => {
    const { programId } = await approve();
    const adHoc = await trigger(programId);
    // Holding the plan's row lock lets both outcomes read the point, then stops both at the lock
    // their write takes: the first write to get it changes the point under the other.
    const holder = new pg.Client({ connectionString: sys.databaseUrl });
    await holder.connect();
    let responses: Array<{ status: number; body: { code?: string; outcome?: string } }>;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM assessments.plans WHERE program_id = $1 FOR UPDATE', [programId]);
      const recorded = ['CONTINUE', 'ADJUST'].map((o) => outcome(adHoc.id, { outcome: o }).then((r) => r));
      await sys.eventually(async () => {
        const [{ waiting }] = await sys.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        expect(waiting).toBe(2);
      });
      await holder.query('COMMIT');
      responses = await Promise.all(recorded);
    } finally {
      await holder.end();
    }
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(responses.find((r) => r.status === 409)!.body.code).toBe('INVALID_TRANSITION');
    const winner = responses.find((r) => r.status === 200)!.body.outcome;
    expect((await point(adHoc.id)).outcome).toBe(winner);
    expect(await eventsOf('assessment.completed', adHoc.id)).toBe(1);
    expect((await pointsOf(programId)).filter((p) => p.kind === 'FOLLOW_UP')).toHaveLength(winner === 'ADJUST' ? 1 : 0);
  });

  it('lists points by program, status and due date, a page at a time', async () => {
    const { programId, points } = await approve();
    const page1 = await sys
      .http('assessments')
      .get('/assessments')
      .query({ programId, status: 'SCHEDULED', limit: 3 })
      .set(sys.auth(people.auditor))
      .expect(200);
    expect(page1.body.items.map((p: Point) => p.id)).toEqual(points.slice(0, 3).map((p) => p.id));
    const page2 = await sys
      .http('assessments')
      .get('/assessments')
      .query({ programId, status: 'SCHEDULED', limit: 3, cursor: page1.body.nextCursor })
      .set(sys.auth(people.auditor))
      .expect(200);
    expect(page2.body).toEqual({ items: [expect.objectContaining({ id: points[3].id })], nextCursor: null });
    const early = await sys
      .http('assessments')
      .get('/assessments')
      .query({ programId, dueBefore: points[1].dueAt })
      .set(sys.auth(people.auditor))
      .expect(200);
    expect(early.body.items.map((p: Point) => p.id)).toEqual([points[0].id]);
    for (const query of [{ status: 'LATE' }, { dueBefore: 'soon' }, { programId: 'abc' }, { cursor: 'garbage' }]) {
      const bad = await sys.http('assessments').get('/assessments').query(query).set(sys.auth(people.auditor)).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    }
    await sys.http('assessments').get(`/assessments/${uuidv7()}`).set(sys.auth(people.auditor)).expect(404);
    const noOutcome = await outcome(uuidv7(), { outcome: 'CONTINUE' }).expect(404);
    const noMove = await sys
      .http('assessments')
      .post(`/assessments/${uuidv7()}/reschedule`)
      .set(sys.auth(people.scheduler))
      .send({ dueAt: new Date().toISOString(), reason: 'Field visit moved after the rainy season' })
      .expect(404);
    for (const missing of [noOutcome, noMove]) expect(missing.body).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('Assessment') });
    await sys.http('assessments').get(`/assessments/plans/${uuidv7()}`).set(sys.auth(people.auditor)).expect(404);
  });
});
