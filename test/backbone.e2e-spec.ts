import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { Inbox, MessagingMetrics, Outbox, OutboxRelay, ParkedEvents } from '#libs/messaging';
import type { Queue } from 'bullmq';
import { EVENT_BATCH_JOB, carriedEvents, type EventBatch, type EventEnvelope } from '#libs/contracts';
import { v7 as uuidv7 } from 'uuid';
import { ReviewsEventsProcessor } from '../apps/reviews/src/reviews/events/reviews-events.processor.js';
import { TransactionRunner } from '#libs/persistence';
import { loadServiceDefinition } from './support/services.js';
import { TestSystem } from './support/test-system.js';
import { people, programBody } from './support/fixtures.js';
import { createService } from '#libs/platform';

/** The event backbone: outbox, relay, inbox, exactly-once effects across services. */
describe('event backbone', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['proposals', 'reviews', 'audit'] });
  });
  afterAll(() => sys?.stop());

  async function draftAndSubmit(): Promise<string> {
    const created = await sys.http('proposals').post('/programs').set(sys.auth(people.manager)).send(programBody()).expect(201);
    await sys.http('proposals').post(`/programs/${created.body.id}/submit`).set(sys.auth(people.manager)).expect(200);
    return created.body.id;
  }

  async function submittedEventId(programId: string): Promise<string> {
    const [row] = await sys.query<{ event_id: string }>(
      `SELECT event_id FROM proposals.outbox WHERE type = 'program.submitted' AND envelope->'payload'->>'programId' = $1`,
      [programId],
    );
    return row.event_id;
  }

  /** A program.withdrawn event as the outbox holds it before the relay numbers it, for rows written by hand. */
  function withdrawnEvent(eventId: string, programId: string, reason: string) {
    return {
      eventId,
      type: 'program.withdrawn',
      version: 1,
      source: 'proposals',
      aggregateType: 'program',
      aggregateId: programId,
      aggregateVersion: 2,
      occurredAt: new Date().toISOString(),
      actor: { id: 'gm-ana', roles: ['grant_manager'] },
      correlationId: `test-${reason}`,
      causationId: null,
      payload: { programId, reason },
    };
  }

  /** Reviews opened exactly one review and audit recorded the event exactly once. */
  async function expectAppliedOnce(programId: string, eventId: string) {
    await sys.eventually(async () => {
      const reviews = await sys.query(`SELECT id FROM reviews.reviews WHERE program_id = $1`, [programId]);
      expect(reviews).toHaveLength(1);
      const ledger = await sys.query(`SELECT seq FROM audit.ledger WHERE event_id = $1`, [eventId]);
      expect(ledger).toHaveLength(1);
      const inbox = await sys.query(`SELECT event_id FROM reviews.inbox WHERE event_id = $1`, [eventId]);
      expect(inbox).toHaveLength(1);
    });
  }

  it('applies an event once in reviews and audit when the relay publishes it twice', async () => {
    const programId = await draftAndSubmit();
    const eventId = await submittedEventId(programId);
    await expectAppliedOnce(programId, eventId);
    await quiet([programId]);
    const [{ source_seq }] = await sys.query<{ source_seq: string }>(`SELECT source_seq FROM proposals.outbox WHERE event_id = $1`, [eventId]);
    const relay = sys.app('proposals').get(OutboxRelay);
    expect(await relay.republish(Number(source_seq), Number(source_seq))).toBe(1);
    await sys.eventually(async () => {
      const [row] = await sys.query<{ published_at: Date | null }>(`SELECT published_at FROM proposals.outbox WHERE event_id = $1`, [eventId]);
      expect(row.published_at).not.toBeNull();
    });
    // The second publication was delivered (a fresh job id, not swallowed by the kept first job)
    // and the consumers skipped it: their processors answered "not applied".
    for (const consumer of ['reviews', 'audit'] as const) {
      await sys.eventually(async () => {
        const job = await relay.queue(consumer).getJob(`${eventId}-r1`);
        expect(await job?.getState()).toBe('completed');
        expect(job?.returnvalue).toBe(false);
      });
    }
    await expectAppliedOnce(programId, eventId);
    const program = await sys.http('proposals').get(`/programs/${programId}`).set(sys.auth(people.manager)).expect(200);
    expect(program.body.status).toBe('UNDER_REVIEW');
  });

  /** The programs are under review and proposals has published everything: nothing else joins a republished batch. */
  async function quiet(programIds: string[]) {
    await sys.eventually(async () => {
      const [row] = await sys.query<{ reviewing: number; unpublished: number }>(
        `SELECT (SELECT count(*)::int FROM proposals.programs WHERE id = ANY($1) AND status = 'UNDER_REVIEW') AS reviewing,
                (SELECT count(*)::int FROM proposals.outbox WHERE published_at IS NULL) AS unpublished`,
        [programIds],
      );
      expect(row).toEqual({ reviewing: programIds.length, unpublished: 0 });
    });
  }

  /** The jobs of a queue that carry any of these events, with the ids of the events each carries. */
  async function jobsCarrying(queue: Queue, eventIds: string[]) {
    const jobs = await queue.getJobs();
    return jobs
      .map((job) => ({ job, carried: carriedEvents(job.name, job.data).map((e) => (e as EventEnvelope).eventId) }))
      .filter(({ carried }) => carried.some((id) => eventIds.includes(id)));
  }

  describe('the events of a relay batch as one job', () => {
    const draftedEventIds = async (programIds: string[]) =>
      (
        await sys.query<{ event_id: string; source_seq: string }>(
          `SELECT event_id, source_seq FROM proposals.outbox WHERE type = 'program.drafted' AND envelope->'payload'->>'programId' = ANY($1) ORDER BY source_seq`,
          [programIds],
        )
      ).map((r) => ({ eventId: r.event_id, seq: Number(r.source_seq) }));
    const inLedger = (eventIds: string[]) => sys.query(`SELECT seq FROM audit.ledger WHERE event_id = ANY($1)`, [eventIds]);

    it('takes the events of one relay batch as one job, and skips the ones it recorded before', async () => {
      const ids = await Promise.all(Array.from({ length: 3 }, () => draftAndSubmit()));
      // Numbers are given when the relay claims a row: read them once everything is published.
      await quiet(ids);
      const drafted = await draftedEventIds(ids);
      await sys.eventually(async () => expect(await inLedger(drafted.map((d) => d.eventId))).toHaveLength(3));
      // Republishing a run of consecutive drafted events makes the relay claim them in one batch.
      const fromSeq = drafted[0].seq;
      const toSeq = drafted[drafted.length - 1].seq;
      const relay = sys.app('proposals').get(OutboxRelay);
      const count = await relay.republish(fromSeq, toSeq);
      // The relay sends a batch in outbox order (id), which is the order of sourceSeq only among
      // rows numbered in one claim: a row that committed after a later-inserted one is numbered after it.
      const rows = await sys.query<{ event_id: string; republished: number; source_seq: string }>(
        `SELECT event_id, republished, source_seq FROM proposals.outbox WHERE source_seq BETWEEN $1 AND $2 ORDER BY id`,
        [fromSeq, toSeq],
      );
      expect(rows.map((r) => Number(r.source_seq)).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => fromSeq + i));
      const jobId = `${rows[0].event_id}-r${rows[0].republished}+${count}`;

      const job = await sys.eventually(async () => {
        // The state first, then the job: a job read before it completed would carry no return value.
        expect(await relay.queue('audit').getJobState(jobId)).toBe('completed');
        return (await relay.queue('audit').getJob(jobId))!;
      });
      expect(job.name).toBe(EVENT_BATCH_JOB);
      expect((job.data as EventBatch).events.map((e) => e.sourceSeq)).toEqual(rows.map((r) => Number(r.source_seq)));
      expect(job.returnvalue).toEqual(Array(count).fill(false));
      expect(await inLedger(drafted.map((d) => d.eventId))).toHaveLength(3);
    });

    it('records the valid events of a batch and parks the job for an invalid one', async () => {
      const ids = await Promise.all(Array.from({ length: 2 }, () => draftAndSubmit()));
      // Two events audit has not seen, from a source that has published nothing else here (so
      // they leave no gap), and between them one with a type nobody publishes.
      const fresh = ids.map((id, i) => ({ ...withdrawnEvent(uuidv7(), id, 'batch'), source: 'assessments', sourceSeq: i + 1 }));
      const unknown = { ...fresh[1], eventId: uuidv7(), type: 'program.teleported' };
      const queue = sys.app('proposals').get(OutboxRelay).queue('audit');
      const jobId = `${fresh[0].eventId}+3`;
      await queue.add(EVENT_BATCH_JOB, { events: [fresh[0], unknown, fresh[1]] }, { jobId, attempts: 3 });

      const job = await sys.eventually(async () => {
        const found = await queue.getJob(jobId);
        expect(await found?.getState()).toBe('failed');
        return found!;
      });
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/^invalid events in batch: event 1: type program\.teleported/);
      // The job ends when the valid events are taken in; audit chains them into the ledger just after.
      await sys.eventually(async () => expect(await inLedger(fresh.map((e) => e.eventId))).toHaveLength(2));
      expect(await inLedger([unknown.eventId])).toHaveLength(0);

      // What `npm run events -- parked audit` and `replay audit <jobId>` do for an operator.
      const parked = new ParkedEvents('audit', sys.config('audit'));
      try {
        expect((await parked.list(500)).find((p) => p.jobId === jobId)).toEqual({
          jobId,
          type: EVENT_BATCH_JOB,
          events: [fresh[0], unknown, fresh[1]].map(({ eventId, type }) => ({ eventId, type })),
          attemptsMade: 1,
          failedReason: job.failedReason,
          failedAt: new Date(job.finishedOn!).toISOString(),
        });
        expect(await parked.replay('no-such-job')).toBe(0);
        expect(await parked.replay(jobId)).toBe(1);
        // Run again and parked again: the unknown type is still unknown, and the valid events stay recorded once.
        await sys.eventually(async () => {
          const again = await queue.getJob(jobId);
          expect([await again?.getState(), again!.processedOn! > job.processedOn!, again?.attemptsMade]).toEqual(['failed', true, 1]);
        });
        expect(await inLedger(fresh.map((e) => e.eventId))).toHaveLength(2);
      } finally {
        await parked.close();
      }
    });
  });

  it('applies an event once when the consumer fails after its effect committed but before the job completed', async () => {
    const inbox = sys.app('reviews').get(Inbox);
    const original = inbox.apply.bind(inbox);
    let crashed = 0;
    const spy = jest.spyOn(inbox, 'apply').mockImplementation(async (event, effect) => {
      const applied = await original(event, effect);
      if (event.type === 'program.submitted' && crashed === 0) {
        crashed += 1;
        throw new Error('worker crashed after commit');
      }
      return applied;
    });
    try {
      const programId = await draftAndSubmit();
      await expectAppliedOnce(programId, await submittedEventId(programId));
      expect(crashed).toBe(1);
      // BullMQ retries the failed job; the retry finds the inbox row and skips the effect.
      await sys.eventually(() =>
        expect(spy.mock.calls.filter(([e]) => e.type === 'program.submitted').length).toBeGreaterThanOrEqual(2),
      );
      await expectAppliedOnce(programId, await submittedEventId(programId));
    } finally {
      spy.mockRestore();
    }
  });

  describe('group commit in a service consumer', () => {
    /** Submits programs while reviews' worker is paused, so it takes their events all at once. */
    async function submitWhilePaused(count: number, beforeResume: (ids: string[]) => void = () => undefined): Promise<string[]> {
      const worker = sys.app('reviews').get(ReviewsEventsProcessor).worker;
      await worker.pause();
      try {
        const ids = await Promise.all(Array.from({ length: count }, () => draftAndSubmit()));
        beforeResume(ids);
        const eventIds = await Promise.all(ids.map((id) => submittedEventId(id)));
        const queue = sys.app('proposals').get(OutboxRelay).queue('reviews');
        await sys.eventually(async () => {
          const queued = (await jobsCarrying(queue, eventIds)).flatMap(({ carried }) => carried);
          expect(queued).toEqual(expect.arrayContaining(eventIds));
        });
        return ids;
      } finally {
        worker.resume();
      }
    }

    const receivedAt = (programIds: string[]) =>
      sys.query<{ program_id: string; received_at: Date }>(
        `SELECT o.envelope->'payload'->>'programId' AS program_id, i.received_at
         FROM reviews.inbox i JOIN proposals.outbox o ON o.event_id = i.event_id
         WHERE o.type = 'program.submitted' AND o.envelope->'payload'->>'programId' = ANY($1)`,
        [programIds],
      );

    it('applies events taken at the same time in one transaction', async () => {
      const ids = await submitWhilePaused(6);
      for (const id of ids) await expectAppliedOnce(id, await submittedEventId(id));
      // received_at is the transaction's start: events that share it were applied together.
      const rows = await receivedAt(ids);
      expect(rows).toHaveLength(6);
      expect(new Set(rows.map((r) => r.received_at.getTime())).size).toBeLessThan(6);
    });

    it('rolls back a group whose member fails and applies the others alone, retrying only the failing one', async () => {
      const commandBus = sys.app('reviews').get(CommandBus);
      const original = commandBus.execute.bind(commandBus);
      // The failing effect fails in the group and again alone; BullMQ's retry then succeeds.
      let failing: string | undefined;
      let failures = 0;
      const executed: string[] = [];
      const spy = jest.spyOn(commandBus, 'execute').mockImplementation(async (command: ICommand) => {
        const programId = (command as { program?: { id?: string } }).program?.id;
        if (programId) executed.push(programId);
        if (failing && programId === failing && failures < 2) {
          failures += 1;
          throw new Error('this effect fails on its first delivery');
        }
        return original(command);
      });
      try {
        const fallbacks = async () => (await sys.app('reviews').get(MessagingMetrics).groupFallbacks.get()).values[0]?.value ?? 0;
        const before = await fallbacks();
        const ids = await submitWhilePaused(5, (submitted) => (failing = submitted[2]));
        for (const id of ids) await expectAppliedOnce(id, await submittedEventId(id));
        expect(failures).toBe(2);
        expect(await fallbacks()).toBeGreaterThan(before);
        // Only the failing effect ran again: the others ran in the rolled-back group and alone at
        // most, and the retry of the job that carried the failing event skipped them (inbox).
        const count = (id: string) => executed.filter((e) => e === id).length;
        expect(count(failing!)).toBe(3);
        for (const id of ids.filter((i) => i !== failing)) expect(count(id)).toBeLessThanOrEqual(2);
        expect(executed[executed.length - 1]).toBe(failing);
        // Only the job that carried the failing event was retried; every job completed.
        const queue = sys.app('proposals').get(OutboxRelay).queue('reviews');
        const failingEvent = await submittedEventId(failing!);
        await sys.eventually(async () => {
          const jobs = await jobsCarrying(queue, await Promise.all(ids.map((id) => submittedEventId(id))));
          expect(await Promise.all(jobs.map(({ job }) => job.getState()))).toEqual(jobs.map(() => 'completed'));
          expect(jobs.map(({ job, carried }) => [carried.includes(failingEvent), job.attemptsMade])).toEqual(
            jobs.map(({ carried }) => [carried.includes(failingEvent), carried.includes(failingEvent) ? 2 : 1]),
          );
        });
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('publishes every event exactly once with two relay instances draining the same outbox', async () => {
    const second = await createService(await loadServiceDefinition('proposals'), sys.config('proposals'));
    await second.init();
    try {
      const ids = await Promise.all(Array.from({ length: 20 }, () => draftAndSubmit()));
      for (const id of ids) await expectAppliedOnce(id, await submittedEventId(id));
      const counts = await sys.query<{ n: string }>(
        `SELECT count(*) AS n FROM reviews.inbox i JOIN proposals.outbox o ON o.event_id = i.event_id WHERE o.type = 'program.submitted'`,
      );
      const unique = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM proposals.outbox WHERE type = 'program.submitted'`);
      expect(counts[0].n).toBe(unique[0].n);
      // Both relays numbered rows from one counter: every row got a distinct sourceSeq, with no hole.
      // Rows the submissions caused later (program.under-review) may still be on their way: wait for them.
      await sys.eventually(async () => {
        const [seqs] = await sys.query<{ rows: number; distinct: number; max: number; envelope_agrees: number }>(
          `SELECT count(*)::int AS rows, count(DISTINCT source_seq)::int AS distinct, max(source_seq)::int AS max,
                  count(*) FILTER (WHERE (envelope->>'sourceSeq')::bigint = source_seq)::int AS envelope_agrees
           FROM proposals.outbox`,
        );
        expect(seqs).toEqual({ rows: seqs.max, distinct: seqs.max, max: seqs.max, envelope_agrees: seqs.max });
      });
    } finally {
      await second.close();
    }
  });

  it("publishes a dead relay's claimed rows once its lease ends, and not before", async () => {
    const eventId = '00000000-0000-7000-8000-0000000000c1';
    const envelope = withdrawnEvent(eventId, '00000000-0000-7000-8000-0000000000c2', 'claimed by a relay that died');
    // As a relay leaves a row it claimed and numbered when it dies before sending it.
    await sys.query(
      `INSERT INTO proposals.outbox (event_id, type, envelope, source_seq, claimed_until)
       SELECT $1, $2, jsonb_set($3::jsonb, '{sourceSeq}', to_jsonb(s.value + 1)), s.value + 1, now() + interval '2 seconds'
       FROM proposals.outbox_sequence s`,
      [eventId, envelope.type, JSON.stringify(envelope)],
    );
    await sys.query(`UPDATE proposals.outbox_sequence SET value = value + 1`);
    sys.app('proposals').get(OutboxRelay).kick();
    await new Promise((r) => setTimeout(r, 1000));
    const [held] = await sys.query<{ published_at: Date | null }>(`SELECT published_at FROM proposals.outbox WHERE event_id = $1`, [eventId]);
    expect(held.published_at).toBeNull();
    await sys.eventually(async () => {
      const ledger = await sys.query(`SELECT seq FROM audit.ledger WHERE event_id = $1`, [eventId]);
      expect(ledger).toHaveLength(1);
    });
  });

  it('sends again a row asked to be republished while its batch was being sent', async () => {
    const relay = sys.app('proposals').get(OutboxRelay);
    type Sent = Array<{ envelope: { sourceSeq: number; type: string } }>;
    const sender = relay as unknown as { send: (rows: Sent) => Promise<void> };
    const original = sender.send.bind(relay);
    let raced = false;
    const spy = jest.spyOn(sender, 'send').mockImplementation(async (rows) => {
      await original(rows);
      const submitted = rows.find((r) => r.envelope.type === 'program.submitted');
      if (submitted && !raced) {
        raced = true;
        await relay.republish(submitted.envelope.sourceSeq, submitted.envelope.sourceSeq);
      }
    });
    try {
      const programId = await draftAndSubmit();
      const eventId = await submittedEventId(programId);
      await expectAppliedOnce(programId, eventId);
      expect(raced).toBe(true);
      await sys.eventually(async () => expect(await relay.queue('reviews').getJob(`${eventId}-r1`)).toBeDefined());
      await expectAppliedOnce(programId, eventId);
    } finally {
      spy.mockRestore();
    }
  });

  it('publishes nothing for a command whose transaction rolls back', async () => {
    const tx = sys.app('proposals').get(TransactionRunner);
    const outbox = sys.app('proposals').get(Outbox);
    await expect(
      tx.run(async (em) => {
        await outbox.append(em, [
          {
            type: 'program.withdrawn',
            aggregateType: 'program',
            aggregateId: '00000000-0000-7000-8000-000000000001',
            aggregateVersion: 2,
            payload: { programId: '00000000-0000-7000-8000-000000000001', reason: 'rolled back' },
          },
        ]);
        throw new Error('the command failed after writing its event');
      }),
    ).rejects.toThrow('the command failed');
    await new Promise((r) => setTimeout(r, 500));
    expect(await sys.query(`SELECT id FROM proposals.outbox WHERE envelope->'payload'->>'reason' = 'rolled back'`)).toHaveLength(0);
    const ledger = await sys.query(`SELECT seq FROM audit.ledger WHERE payload::jsonb->>'reason' = 'rolled back'`);
    expect(ledger).toHaveLength(0);
    // The sequence did not move either: once the events of earlier tests are all out, every row
    // has a number and the counter stands at the row count, so sourceSeq stays gapless.
    await sys.eventually(async () => {
      const [row] = await sys.query<{ rows: number; numbered: number; counter: number }>(
        `SELECT count(*)::int AS rows, count(*) FILTER (WHERE source_seq IS NOT NULL AND published_at IS NOT NULL)::int AS numbered,
                (SELECT value::int FROM proposals.outbox_sequence) AS counter FROM proposals.outbox`,
      );
      expect(row).toEqual({ rows: row.rows, numbered: row.rows, counter: row.rows });
    });
  });

  it('publishes events whose transactions commit out of order', async () => {
    const dataSource = sys.app('proposals').get<DataSource>(getDataSourceToken());
    const slowId = '00000000-0000-7000-8000-0000000000aa';
    const eventId = '00000000-0000-7000-8000-0000000000ab';
    const envelope = withdrawnEvent(eventId, slowId, 'committed late');
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    // The row takes an outbox id lower than those of rows that commit while its transaction stays open.
    await runner.query(`INSERT INTO proposals.outbox (event_id, type, envelope) VALUES ($1, $2, $3)`, [
      eventId,
      envelope.type,
      JSON.stringify(envelope),
    ]);
    const later = await draftAndSubmit();
    const laterEventId = await submittedEventId(later);
    await expectAppliedOnce(later, laterEventId);
    const [held] = await sys.query<{ max: string }>(`SELECT max(id) AS max FROM proposals.outbox WHERE published_at IS NOT NULL`);
    await runner.commitTransaction();
    await runner.release();
    const [late] = await sys.query<{ id: string }>(`SELECT id FROM proposals.outbox WHERE event_id = $1`, [eventId]);
    expect(Number(late.id)).toBeLessThan(Number(held.max));
    await sys.eventually(async () => {
      const ledger = await sys.query<{ source_seq: string }>(
        `SELECT source_seq FROM audit.ledger WHERE payload::jsonb->>'reason' = 'committed late'`,
      );
      expect(ledger).toHaveLength(1);
      // Numbered once committed: after a row with a higher id that committed first.
      const [first] = await sys.query<{ source_seq: string }>(`SELECT source_seq FROM audit.ledger WHERE event_id = $1`, [laterEventId]);
      expect(Number(ledger[0].source_seq)).toBeGreaterThan(Number(first.source_seq));
    });
  });
});
