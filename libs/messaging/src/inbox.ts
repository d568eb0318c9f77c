import { Inject, Injectable } from '@nestjs/common';
import { systemActor, type EventEnvelope, type ServiceName } from '#libs/contracts';
import { RequestContext, SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';

/**
 * Applies an event at most once: the inbox row and the effect commit in one transaction.
 * A concurrent second delivery blocks on the inbox key until the first commits, then skips.
 */
@Injectable()
export class Inbox {
  private readonly schema: ServiceName;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly tx: TransactionRunner,
  ) {
    this.schema = config.service as ServiceName;
  }

  /** Returns false when the event had already taken effect. */
  apply(event: EventEnvelope, effect: () => Promise<unknown>): Promise<boolean> {
    const context = { correlationId: event.correlationId, causationId: event.eventId, actor: systemActor(this.schema) };
    return RequestContext.run(context, () =>
      this.tx.run(async (em) => {
        const inserted = (await em.query(
          `INSERT INTO "${this.schema}".inbox (event_id, type, source, source_seq) VALUES ($1, $2, $3, $4)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          [event.eventId, event.type, event.source, event.sourceSeq],
        )) as unknown[];
        if (inserted.length === 0) return false;
        await effect();
        return true;
      }),
    );
  }
}
