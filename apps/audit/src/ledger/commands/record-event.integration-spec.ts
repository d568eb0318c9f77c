import { CommandBus } from '@nestjs/cqrs';
import type { EventEnvelope } from '#libs/contracts';
import { createService } from '#libs/platform';
import { TestSystem } from '../../../../../test/support/test-system.js';
import { loadServiceDefinition } from '../../../../../test/support/services.js';
import { envelopeFixture } from '../domain/ledger-entry.fixtures.js';
import { LedgerRepository } from '../persistence/ledger.repository.js';
import { RecordEventCommand } from './record-event.command.js';

/** Audit records the events it consumes at the same time in one inbox-and-intake statement. */
describe('RecordEventHandler: group commit of consumed events', () => {
  let sys: TestSystem;
  let record: (event: EventEnvelope) => Promise<boolean>;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['audit'] });
    const commands = sys.app('audit').get(CommandBus);
    record = (event) => commands.execute<RecordEventCommand, boolean>(new RecordEventCommand(event));
  });
  afterAll(() => sys?.stop());

  /** How many times each event is in the inbox and in the ledger (chained) or its intake. */
  async function recorded(events: EventEnvelope[]): Promise<Array<{ inbox: number; ledger: number }>> {
    return Promise.all(
      events.map(async ({ eventId }) => {
        const [{ inbox, ledger }] = await sys.query<{ inbox: string; ledger: string }>(
          `SELECT (SELECT count(*) FROM audit.inbox WHERE event_id = $1) AS inbox,
                  (SELECT count(*) FROM audit.ledger WHERE event_id = $1) + (SELECT count(*) FROM audit.ledger_intake WHERE event_id = $1) AS ledger`,
          [eventId],
        );
        return { inbox: Number(inbox), ledger: Number(ledger) };
      }),
    );
  }

  it('records each event of a group once: a repeat within the group and an earlier event are reported as not applied', async () => {
    const [earlier, first, second] = [101, 102, 103].map(envelopeFixture);
    await expect(record(earlier)).resolves.toBe(true);

    // Submitted in one turn, so they are written as one group.
    const results = await Promise.all([first, earlier, first, second].map(record));

    expect(results).toEqual([true, false, false, true]);
    expect(await recorded([earlier, first, second])).toEqual(Array(3).fill({ inbox: 1, ledger: 1 }));
  });

  it('writes nothing of a group whose statement fails, and records its events when they are delivered again', async () => {
    const events = [111, 112, 113].map(envelopeFixture);
    // An intake row the inbox does not know makes the group's intake insert fail after its inbox insert.
    await sys.query(`INSERT INTO audit.ledger_intake (event_id, envelope) VALUES ($1, '{}')`, [events[1].eventId]);
    const failed = await Promise.allSettled(events.map(record));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await recorded(events)).toEqual([{ inbox: 0, ledger: 0 }, { inbox: 0, ledger: 1 }, { inbox: 0, ledger: 0 }]);

    await sys.query(`DELETE FROM audit.ledger_intake WHERE event_id = $1`, [events[1].eventId]);
    expect(await Promise.all(events.map(record))).toEqual([true, true, true]);
    expect(await recorded(events)).toEqual(Array(3).fill({ inbox: 1, ledger: 1 }));
  });

  it('lets two replicas record overlapping groups in opposite orders at once: no deadlock, each event once', async () => {
    const replica = await createService(await loadServiceDefinition('audit'), sys.config('audit'));
    await replica.init();
    try {
      const events = Array.from({ length: 40 }, (_, i) => envelopeFixture(200 + i));
      const ledgers = [sys.app('audit').get(LedgerRepository), replica.get(LedgerRepository)];
      const orders = [events, [...events].reverse()];

      const applied = await Promise.all(ledgers.map((ledger, i) => ledger.record(orders[i])));

      // Every event was applied by exactly one of the two replicas.
      const byEvent = events.map((e) => [0, 1].filter((i) => applied[i][orders[i].indexOf(e)]).length);
      expect(byEvent).toEqual(Array(events.length).fill(1));
      expect(await recorded(events)).toEqual(Array(events.length).fill({ inbox: 1, ledger: 1 }));
    } finally {
      await replica.close();
    }
  });
});
